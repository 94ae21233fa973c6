#include "args.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

namespace tickwheel::cli {
namespace {

constexpr std::string_view run_help =
    "usage: tickwheel run [OPTIONS] -- CMD [ARG...]\n"
    "\n"
    "Runs CMD in a process group of its own and stops it when a limit is reached.\n"
    "CMD writes to tickwheel's stdout and stderr; with --idle-timeout tickwheel\n"
    "reads its output through pipes (one, if stdout and stderr go to the same\n"
    "place) and passes it on unchanged.\n"
    "\n"
    "Options:\n"
    "  -t, --timeout DUR       overall limit for the command (default: none)\n"
    "  -i, --idle-timeout DUR  limit on a stretch with no output on stdout or\n"
    "                          stderr (default: none)\n"
    "  -k, --kill-after DUR    if the command still runs this long after the\n"
    "                          limit's signal (or one sent to tickwheel), send\n"
    "                          KILL (0: never)\n"
    "  -s, --signal SIG        what a limit sends, a name (TERM, SIGINT) or a\n"
    "                          number (default: TERM)\n"
    "  -q, --quiet             do not print which limit was reached\n"
    "      --foreground        leave CMD in tickwheel's process group, so it can\n"
    "                          read from the terminal and gets its signals; the\n"
    "                          limits then signal CMD alone, not what it started\n"
    "      --preserve-status   after a limit, exit with CMD's status (128+N for\n"
    "                          signal N) instead of 124\n"
    "  -h, --help              this text\n"
    "\n"
    "DUR is a time value: 1.5 (seconds), 1:30, 250ms, 1h30m, or inf. A limit of 0\n"
    "or inf is no limit. INT, TERM, HUP and QUIT sent to tickwheel are passed on.\n"
    "\n"
    "Exit status: the command's own status; 128+N if it died of signal N; 124 if a\n"
    "limit was reached (137 if it had to send KILL); 125 if tickwheel itself\n"
    "failed; 126 if CMD could not be executed; 127 if CMD was not found.\n";

constexpr std::string_view every_help =
    "usage: tickwheel every DUR [OPTIONS] -- CMD [ARG...]\n"
    "\n"
    "Runs CMD at every tick of an interval of DUR, one run at a time: a run that\n"
    "outlasts the interval makes the next tick late, and the policy decides what\n"
    "follows.\n"
    "\n"
    "Options:\n"
    "  -p, --policy POLICY     what follows a late tick: all (a run for every\n"
    "                          tick missed meanwhile, back to back), resync (one\n"
    "                          run at once, then the original grid; the\n"
    "                          default), drift (one run at once; if it was later\n"
    "                          than the tolerance the grid moves to it)\n"
    "      --tolerance DUR     lateness that --policy drift tolerates (default: 0)\n"
    "      --start-delay DUR   extra wait before the first tick\n"
    "  -c, --count N           stop after N runs and exit with the last run's\n"
    "                          status\n"
    "      --now               first tick at start (after the start delay), not\n"
    "                          one interval later\n"
    "  -r, --report            print one line per tick on stderr: its number, when\n"
    "                          it was scheduled (from start) and its drift\n"
    "  -h, --help              this text\n"
    "\n"
    "Without --count it runs until killed: INT, TERM, HUP or QUIT is passed on\n"
    "to a running command, and tickwheel exits once it has ended. A command that\n"
    "cannot be executed stops tickwheel at once (status 126 or 127).\n";

constexpr std::string_view main_help =
    "usage: tickwheel run [OPTIONS] -- CMD [ARG...]\n"
    "       tickwheel every DUR [OPTIONS] -- CMD [ARG...]\n"
    "       tickwheel --help | --version\n"
    "\n"
    "Commands:\n"
    "  run     run a command under an overall and an idle (no-output) time limit\n"
    "  every   run a command at every tick of an interval\n"
    "\n"
    "`tickwheel run --help` and `tickwheel every --help` describe their options.\n";

// An option's value: after `=` in the same argument, else the next argument.
class Cursor {
 public:
  Cursor(Topic topic, std::span<const std::string_view> args) : topic_(topic), args_(args) {}

  [[nodiscard]] bool done() const noexcept { return next_ >= args_.size(); }
  [[nodiscard]] std::string_view peek() const { return args_[next_]; }
  std::string_view take() { return args_[next_++]; }
  [[nodiscard]] std::span<const std::string_view> rest() const { return args_.subspan(next_); }

  /// The value of option `name`, whose argument was `arg` (`--name` or
  /// `--name=value`).
  std::string_view value(std::string_view name, std::string_view arg) {
    if (arg.size() > name.size()) return arg.substr(name.size() + 1);
    if (done()) throw UsageError(topic_, std::string(name) + " needs a value");
    return take();
  }

 private:
  Topic topic_;
  std::span<const std::string_view> args_;
  std::size_t next_ = 0;
};

// True if `arg` is option `name`, alone or as `name=value`.
bool is_option(std::string_view arg, std::string_view name) {
  return arg.starts_with(name) && (arg.size() == name.size() || arg[name.size()] == '=');
}

// True if `arg` is flag `name`; a value given to a flag is an error.
bool is_flag(Topic topic, std::string_view arg, std::string_view name) {
  if (!is_option(arg, name)) return false;
  if (arg.size() != name.size()) {
    throw UsageError(topic, std::string(name) + " takes no value");
  }
  return true;
}

// What a duration option accepts besides the non-negative finite values.
enum class Zero { allowed, refused };
enum class Infinity { allowed, refused };

TimeValue duration_value(Topic topic, std::string_view option, std::string_view text, Zero zero,
                         Infinity infinity) {
  const std::string prefix = std::string(option) + " '" + std::string(text) + "': ";
  // The library reads "" as zero; on a command line it is far more likely an
  // unset variable ("-t $LIMIT") than a wish for no limit.
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    throw UsageError(topic, prefix + "empty time value");
  }
  TimeValue value;
  try {
    value = parse_duration(text);
  } catch (const ParseError& e) {
    std::string message = e.what();
    constexpr std::string_view ours = "tickwheel: ";
    if (message.starts_with(ours)) message.erase(0, ours.size());
    throw UsageError(topic, prefix + message);
  }
  if (value.is_negative()) throw UsageError(topic, prefix + "must not be negative");
  if (value.is_zero() && zero == Zero::refused) {
    throw UsageError(topic, prefix + "must be greater than zero");
  }
  if (value.is_infinite() && infinity == Infinity::refused) {
    throw UsageError(topic, prefix + "must be finite");
  }
  return value;
}

std::vector<std::string> command_from(Topic topic, Cursor& cursor) {
  if (!cursor.done() && cursor.peek() == "--") cursor.take();
  if (cursor.done()) throw UsageError(topic, "no command given");
  std::vector<std::string> command;
  for (const std::string_view arg : cursor.rest()) command.emplace_back(arg);
  return command;
}

// The one-letter forms, as timeout(1) has -k and -s: `-k 5s`, `-k5s`.
struct ShortOption {
  char letter;
  std::string_view name;
  bool takes_value;
};

constexpr std::array<ShortOption, 6> run_short_options{{
    {'t', "--timeout", true},
    {'i', "--idle-timeout", true},
    {'k', "--kill-after", true},
    {'s', "--signal", true},
    {'q', "--quiet", false},
    {'h', "--help", false},
}};

constexpr std::array<ShortOption, 4> every_short_options{{
    {'p', "--policy", true},
    {'c', "--count", true},
    {'r', "--report", false},
    {'h', "--help", false},
}};

// `arg` with a one-letter option spelled the long way (`-k5s` -> `--kill-after=5s`);
// anything else unchanged.
std::string long_form(std::span<const ShortOption> options, std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') return std::string(arg);
  for (const ShortOption& o : options) {
    if (o.letter != arg[1]) continue;
    if (arg.size() == 2) return std::string(o.name);
    if (!o.takes_value) break;  // `-qx`: reported as the unknown option it is
    return std::string(o.name) + "=" + std::string(arg.substr(2));
  }
  return std::string(arg);
}

// The long options whose value may come as the next argument.
constexpr std::array<std::string_view, 8> options_with_values{
    "--timeout", "--idle-timeout", "--kill-after",  "--signal",
    "--policy",  "--tolerance",    "--start-delay", "--count"};

// The arguments with bundles of one-letter options split, as getopt reads
// them: `-qt0.3` is `-q -t0.3`, `-rc3` is `-r -c3`. A letter that takes a
// value ends its bundle (the rest is the value). Splitting stops where the
// options end: at `--`, or at the command (for `every`, the first
// non-option is the interval and the second the command).
std::vector<std::string> split_bundles(std::span<const std::string_view> args,
                                       std::span<const ShortOption> letters,
                                       int positionals_before_command) {
  std::vector<std::string> out;
  bool value_next = false;
  int positionals = 0;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (value_next) {
      out.emplace_back(arg);
      value_next = false;
      continue;
    }
    if (arg == "--") break;
    const bool negative_number =
        arg.size() > 1 && arg[0] == '-' &&
        (std::isdigit(static_cast<unsigned char>(arg[1])) != 0 || arg[1] == '.');
    if (!arg.starts_with('-') || negative_number || arg == "-") {
      if (positionals++ == positionals_before_command) break;
      out.emplace_back(arg);
      continue;
    }
    if (arg.starts_with("--")) {
      out.emplace_back(arg);
      for (const std::string_view name : options_with_values) value_next |= arg == name;
      continue;
    }
    // A bundle: `-` and letters.
    std::size_t at = 1;
    while (at < arg.size()) {
      const ShortOption* o = nullptr;
      for (const ShortOption& candidate : letters) {
        if (candidate.letter == arg[at]) o = &candidate;
      }
      if (o == nullptr || o->takes_value) {
        // An unknown letter is reported with what follows it; a value
        // letter takes the rest (or, alone, the next argument).
        out.push_back("-" + std::string(arg.substr(at)));
        value_next = o != nullptr && at + 1 == arg.size();
        break;
      }
      out.push_back(std::string("-") + arg[at]);
      ++at;
    }
  }
  for (; i < args.size(); ++i) out.emplace_back(args[i]);
  return out;
}

// The next argument if it ends the options (`--`, or not an option at all).
bool ends_options(std::string_view arg) { return arg == "--" || !arg.starts_with('-'); }

[[noreturn]] void unknown_option(Topic topic, std::string_view arg) {
  throw UsageError(topic, "unknown option '" + std::string(arg) + "'");
}

Invocation parse_run(std::span<const std::string_view> args) {
  constexpr Topic topic = Topic::run;
  RunOptions options;
  Cursor cursor(topic, args);
  while (!cursor.done() && !ends_options(cursor.peek())) {
    const std::string spelled = long_form(run_short_options, cursor.take());
    const std::string_view arg = spelled;
    if (arg == "--help") return HelpRequest{topic};
    if (is_option(arg, "--timeout")) {
      // timeout(1) reads 0 as "no limit"; so does the tool.
      options.timeout = duration_value(topic, "--timeout", cursor.value("--timeout", arg),
                                       Zero::allowed, Infinity::allowed);
      if (options.timeout.is_zero()) options.timeout = TimeValue::infinite();
    } else if (is_option(arg, "--idle-timeout")) {
      options.idle_timeout =
          duration_value(topic, "--idle-timeout", cursor.value("--idle-timeout", arg),
                         Zero::allowed, Infinity::allowed);
      if (options.idle_timeout.is_zero()) options.idle_timeout = TimeValue::infinite();
    } else if (is_option(arg, "--kill-after")) {
      const TimeValue v = duration_value(topic, "--kill-after", cursor.value("--kill-after", arg),
                                         Zero::allowed, Infinity::allowed);
      if (v.is_infinite() || v.is_zero()) {  // as timeout(1): 0 is no KILL at all
        options.kill_after.reset();
      } else {
        options.kill_after = v.to_duration();
      }
    } else if (is_option(arg, "--signal")) {
      const std::string_view text = cursor.value("--signal", arg);
      const std::optional<int> sig = parse_signal(text);
      if (!sig) {
        throw UsageError(topic,
                         "--signal '" + std::string(text) + "': not a signal name or number");
      }
      options.signal = *sig;
    } else if (is_flag(topic, arg, "--quiet")) {
      options.quiet = true;
    } else if (is_flag(topic, arg, "--foreground")) {
      options.foreground = true;
    } else if (is_flag(topic, arg, "--preserve-status")) {
      options.preserve_status = true;
    } else {
      unknown_option(topic, arg);
    }
  }
  options.command = command_from(topic, cursor);
  return options;
}

Invocation parse_every(std::span<const std::string_view> args) {
  constexpr Topic topic = Topic::every;
  EveryOptions options;
  Cursor cursor(topic, args);
  bool have_interval = false;
  // The interval is the first argument that is not an option; `--` may not
  // come before it.
  while (!cursor.done()) {
    const std::string_view arg = cursor.peek();
    if (arg == "--") break;
    // A negative interval is a value to refuse with a reason, not an option.
    const bool negative_number =
        arg.size() > 1 && arg[0] == '-' &&
        (std::isdigit(static_cast<unsigned char>(arg[1])) != 0 || arg[1] == '.');
    if (!arg.starts_with('-') || (negative_number && !have_interval)) {
      if (have_interval) break;  // the command
      cursor.take();
      options.interval =
          duration_value(topic, "interval", arg, Zero::refused, Infinity::refused).to_duration();
      have_interval = true;
      continue;
    }
    cursor.take();
    const std::string spelled = long_form(every_short_options, arg);
    const std::string_view option = spelled;
    if (option == "--help") return HelpRequest{topic};
    if (is_option(option, "--policy")) {
      const std::string_view name = cursor.value("--policy", option);
      if (name == "all") {
        options.policy = PolicyName::all;
      } else if (name == "resync") {
        options.policy = PolicyName::resync;
      } else if (name == "drift") {
        options.policy = PolicyName::drift;
      } else {
        throw UsageError(topic,
                         "--policy '" + std::string(name) + "': expected all, resync or drift");
      }
    } else if (is_option(option, "--tolerance")) {
      options.tolerance = duration_value(topic, "--tolerance", cursor.value("--tolerance", option),
                                         Zero::allowed, Infinity::allowed)
                              .to_duration();
    } else if (is_option(option, "--start-delay")) {
      options.start_delay =
          duration_value(topic, "--start-delay", cursor.value("--start-delay", option),
                         Zero::allowed, Infinity::refused)
              .to_duration();
    } else if (is_option(option, "--count")) {
      const std::string_view text = cursor.value("--count", option);
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n == 0) {
        throw UsageError(topic,
                         "--count '" + std::string(text) + "': expected a whole number >= 1");
      }
      options.count = n;
    } else if (is_flag(topic, option, "--now")) {
      options.now = true;
    } else if (is_flag(topic, option, "--report")) {
      options.report = true;
    } else {
      unknown_option(topic, option);
    }
  }
  if (!have_interval) throw UsageError(topic, "no interval given");
  options.command = command_from(topic, cursor);
  return options;
}

struct SignalName {
  std::string_view name;
  int number;
};

constexpr std::array<SignalName, 30> signal_names{{
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},   {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"SYS", SIGSYS},
}};

}  // namespace

std::optional<int> parse_signal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text.front())) != 0) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > SIGRTMAX) {
      return std::nullopt;
    }
    return n;
  }
  std::string upper;
  for (const char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view name = upper;
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (const SignalName& s : signal_names) {
    if (s.name == name) return s.number;
  }
  return std::nullopt;
}

Invocation parse_args(std::span<const std::string_view> args) {
  if (args.empty()) throw UsageError(Topic::main, "no command given (run or every)");
  const std::string_view first = args.front();
  if (first == "--help" || first == "-h") return HelpRequest{Topic::main};
  if (first == "--version") return VersionRequest{};
  if (first == "run" || first == "every") {
    const bool run = first == "run";
    const std::vector<std::string> split =
        run ? split_bundles(args.subspan(1), run_short_options, 0)
            : split_bundles(args.subspan(1), every_short_options, 1);
    const std::vector<std::string_view> views(split.begin(), split.end());
    return run ? parse_run(views) : parse_every(views);
  }
  if (first.starts_with('-')) unknown_option(Topic::main, first);
  throw UsageError(Topic::main, "unknown command '" + std::string(first) + "'");
}

std::string_view usage_line(Topic topic) {
  // The usage lines are the help text's first paragraph.
  const std::string_view text = help_text(topic);
  return text.substr(0, text.find("\n\n"));
}

std::string_view help_text(Topic topic) {
  switch (topic) {
    case Topic::run:
      return run_help;
    case Topic::every:
      return every_help;
    case Topic::main:
      break;
  }
  return main_help;
}

}  // namespace tickwheel::cli
