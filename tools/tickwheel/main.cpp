// The `tickwheel` command: parse the arguments, run the subcommand, turn its
// outcome into an exit status. Everything else lives in the files beside it.
#include <exception>
#include <iostream>
#include <string_view>
#include <variant>
#include <vector>

#include "args.hpp"
#include "child_process.hpp"
#include "every_command.hpp"
#include "exit_status.hpp"
#include "run_command.hpp"
#include "tickwheel/version.hpp"

namespace {

using namespace tickwheel::cli;

int dispatch(const Invocation& invocation) {
  if (const auto* help = std::get_if<HelpRequest>(&invocation)) {
    std::cout << help_text(help->topic) << std::flush;
    return 0;
  }
  if (std::holds_alternative<VersionRequest>(invocation)) {
    std::cout << "tickwheel " TICKWHEEL_VERSION "\n" << std::flush;
    return 0;
  }
  if (const auto* run = std::get_if<RunOptions>(&invocation)) return run_command(*run);
  return every_command(std::get<EveryOptions>(invocation));
}

// The help that covers the command line the user got wrong.
std::string_view help_command(Topic topic) {
  switch (topic) {
    case Topic::run:
      return "tickwheel run --help";
    case Topic::every:
      return "tickwheel every --help";
    case Topic::main:
      break;
  }
  return "tickwheel --help";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  try {
    return dispatch(parse_args(args));
  } catch (const UsageError& e) {
    std::cerr << "tickwheel: " << e.what() << '\n'
              << usage_line(e.topic()) << "\n"
              << "Try '" << help_command(e.topic()) << "' for more information.\n";
    return exit_status::tool_failed;
  } catch (const SpawnError& e) {
    std::cerr << "tickwheel: " << e.what() << '\n';
    return e.exit_status();
  } catch (const std::exception& e) {
    std::cerr << "tickwheel: " << e.what() << '\n';
    return exit_status::tool_failed;
  }
}
