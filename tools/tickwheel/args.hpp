// File: the command line of the `tickwheel` tool, parsed into plain option
// structs. Pure functions (no I/O, no process state), so every rule here is
// unit-tested without starting a process.
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tickwheel/chrono.hpp"
#include "tickwheel/parse_duration.hpp"

namespace tickwheel::cli {

/// Which help text or usage line is meant.
enum class Topic { main, run, every };

/// `tickwheel --help`, `tickwheel run --help`, `tickwheel every --help`.
struct HelpRequest {
  Topic topic = Topic::main;
};

/// `tickwheel --version`.
struct VersionRequest {};

/// `tickwheel run`: a command under an overall and an idle (no-output) limit.
struct RunOptions {
  /// Overall limit; infinite (the default, also `inf` and `0`) means none.
  TimeValue timeout = TimeValue::infinite();
  /// Longest stretch with no output on either stream; infinite means none.
  TimeValue idle_timeout = TimeValue::infinite();
  /// Wait this long after the limit's signal, then send KILL; nullopt: never.
  std::optional<duration> kill_after;
  /// What a limit sends to the command's process group.
  int signal = SIGTERM;
  bool quiet = false;
  /// Leave the command in tickwheel's process group, so it may read from the
  /// terminal and gets the terminal's signals; the limits then signal the
  /// command alone, not what it started, and are not waited for.
  bool foreground = false;
  /// After a limit, exit with the command's status (143 after TERM, say)
  /// instead of 124, as timeout(1) --preserve-status does.
  bool preserve_status = false;
  /// The command and its arguments (never empty).
  std::vector<std::string> command;
};

/// Missed-tick policy of `tickwheel every`.
enum class PolicyName { all, resync, drift };

/// `tickwheel every`: a command at every tick of an Interval.
struct EveryOptions {
  duration interval{};  ///< > 0
  PolicyName policy = PolicyName::resync;
  duration tolerance{0};    ///< for PolicyName::drift; >= 0
  duration start_delay{0};  ///< >= 0
  /// Stop after this many runs (>= 1); nullopt: until killed.
  std::optional<std::uint64_t> count;
  bool now = false;     ///< first tick at start (+ start delay)
  bool report = false;  ///< one line per tick on stderr
  std::vector<std::string> command;
};

using Invocation = std::variant<HelpRequest, VersionRequest, RunOptions, EveryOptions>;

/// A command line that cannot be run: what() is the message (without the
/// `tickwheel: ` prefix), topic() the usage line to show with it.
class UsageError : public std::runtime_error {
 public:
  UsageError(Topic topic, const std::string& message)
      : std::runtime_error(message), topic_(topic) {}
  [[nodiscard]] Topic topic() const noexcept { return topic_; }

 private:
  Topic topic_;
};

/// Parses the arguments after the program name. Options take their value as
/// the next argument or after `=` (`--timeout 2s`, `--timeout=2s`); options
/// end at `--` or at the first argument that does not start with `-`, and
/// everything after is the command, passed on untouched.
///
/// Throws UsageError for an unknown option, a missing or bad value (the
/// message names the option and, for durations, repeats parse_duration's
/// error), or a missing command.
[[nodiscard]] Invocation parse_args(std::span<const std::string_view> args);

/// Parses a signal given as a name (`TERM`, `SIGTERM`, `term`) or a number
/// (1 to SIGRTMAX); nullopt if it is neither.
[[nodiscard]] std::optional<int> parse_signal(std::string_view text);

/// One line: `usage: tickwheel run [OPTIONS] -- CMD [ARG...]` and so on.
[[nodiscard]] std::string_view usage_line(Topic topic);

/// The full `--help` text of a topic, ending with a newline.
[[nodiscard]] std::string_view help_text(Topic topic);

}  // namespace tickwheel::cli
