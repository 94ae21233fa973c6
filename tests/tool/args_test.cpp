#include "args.hpp"

#include <csignal>
#include <string_view>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tickwheel::TimeValue;
using tickwheel::cli::EveryOptions;
using tickwheel::cli::HelpRequest;
using tickwheel::cli::Invocation;
using tickwheel::cli::parse_args;
using tickwheel::cli::parse_signal;
using tickwheel::cli::PolicyName;
using tickwheel::cli::RunOptions;
using tickwheel::cli::Topic;
using tickwheel::cli::UsageError;

namespace {

Invocation parse(std::vector<std::string_view> args) { return parse_args(args); }

RunOptions parse_run(std::vector<std::string_view> args) {
  args.insert(args.begin(), "run");
  return std::get<RunOptions>(parse(args));
}

EveryOptions parse_every(std::vector<std::string_view> args) {
  args.insert(args.begin(), "every");
  return std::get<EveryOptions>(parse(args));
}

// The UsageError that parsing `args` throws.
UsageError usage_error(std::vector<std::string_view> args) {
  try {
    (void)parse(args);
  } catch (const UsageError& e) {
    return e;
  }
  ADD_FAILURE() << "no UsageError";
  return UsageError(Topic::main, "");
}

}  // namespace

TEST(Args, RunDefaultsAreNoLimitsAndTerm) {
  const RunOptions o = parse_run({"--", "sleep", "1"});
  EXPECT_TRUE(o.timeout.is_infinite());
  EXPECT_TRUE(o.idle_timeout.is_infinite());
  EXPECT_FALSE(o.kill_after.has_value());
  EXPECT_EQ(o.signal, SIGTERM);
  EXPECT_FALSE(o.quiet);
  EXPECT_EQ(o.command, (std::vector<std::string>{"sleep", "1"}));
}

TEST(Args, RunOptionsTakeTheirValueAfterASpaceOrAnEqualsSign) {
  const RunOptions o = parse_run({"--timeout", "1.5", "--idle-timeout=250ms", "--kill-after=1:30",
                                  "--signal", "KILL", "--quiet", "--", "cmd"});
  EXPECT_EQ(o.timeout, TimeValue(1500ms));
  EXPECT_EQ(o.idle_timeout, TimeValue(250ms));
  EXPECT_EQ(o.kill_after, std::chrono::nanoseconds(90s));
  EXPECT_EQ(o.signal, SIGKILL);
  EXPECT_TRUE(o.quiet);
}

TEST(Args, TheCommandKeepsItsOwnOptionsUntouched) {
  EXPECT_EQ(parse_run({"--timeout", "1", "--", "ls", "--timeout", "--", "-l"}).command,
            (std::vector<std::string>{"ls", "--timeout", "--", "-l"}));
  // Without `--` the first argument that is not an option starts the command.
  EXPECT_EQ(parse_run({"--quiet", "ls", "-l"}).command, (std::vector<std::string>{"ls", "-l"}));
}

TEST(Args, ZeroAndInfinityMeanNoLimit) {
  EXPECT_TRUE(parse_run({"--timeout", "0", "x"}).timeout.is_infinite());
  EXPECT_TRUE(parse_run({"--idle-timeout", "inf", "x"}).idle_timeout.is_infinite());
  EXPECT_FALSE(parse_run({"--kill-after", "inf", "x"}).kill_after.has_value());
  // As in timeout(1), -k 0 sends no KILL at all (not one at once).
  EXPECT_FALSE(parse_run({"--kill-after", "0", "x"}).kill_after.has_value());
}

TEST(Args, AMalformedDurationNamesTheOptionAndTheParseError) {
  const UsageError e = usage_error({"run", "--idle-timeout", "1:x", "--", "true"});
  EXPECT_EQ(e.topic(), Topic::run);
  const std::string what = e.what();
  EXPECT_NE(what.find("--idle-timeout '1:x'"), std::string::npos) << what;
  EXPECT_NE(what.find("non-numeric element 'x' in time string '1:x' (at 2)"), std::string::npos)
      << what;
}

TEST(Args, ANegativeDurationIsRefused) {
  const std::string what = usage_error({"run", "--timeout", "-1s", "--", "true"}).what();
  EXPECT_NE(what.find("--timeout '-1s': must not be negative"), std::string::npos) << what;
  EXPECT_NE(std::string(usage_error({"run", "--kill-after=-2", "x"}).what()).find("--kill-after"),
            std::string::npos);
}

TEST(Args, BadSignalsMissingValuesAndUnknownOptionsAreUsageErrors) {
  EXPECT_NE(std::string(usage_error({"run", "--signal", "NOPE", "x"}).what()).find("--signal"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "--timeout"}).what()).find("--timeout needs a value"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "--frobnicate", "x"}).what()).find("'--frobnicate'"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "--quiet=yes", "x"}).what()).find("takes no value"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "--timeout", "1"}).what()).find("no command"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "--"}).what()).find("no command"), std::string::npos);
}

TEST(Args, TopLevelHelpVersionAndUnknownCommands) {
  EXPECT_EQ(std::get<HelpRequest>(parse({"--help"})).topic, Topic::main);
  EXPECT_EQ(std::get<HelpRequest>(parse({"run", "--help"})).topic, Topic::run);
  EXPECT_EQ(std::get<HelpRequest>(parse({"every", "--help"})).topic, Topic::every);
  EXPECT_TRUE(std::holds_alternative<tickwheel::cli::VersionRequest>(parse({"--version"})));
  EXPECT_EQ(usage_error({}).topic(), Topic::main);
  EXPECT_EQ(usage_error({"walk"}).topic(), Topic::main);
  EXPECT_EQ(usage_error({"--walk"}).topic(), Topic::main);
}

TEST(Args, EveryDefaults) {
  const EveryOptions o = parse_every({"2s", "--", "date"});
  EXPECT_EQ(o.interval, 2s);
  EXPECT_EQ(o.policy, PolicyName::resync);
  EXPECT_EQ(o.tolerance, 0s);
  EXPECT_EQ(o.start_delay, 0s);
  EXPECT_FALSE(o.count.has_value());
  EXPECT_FALSE(o.now);
  EXPECT_FALSE(o.report);
  EXPECT_EQ(o.command, (std::vector<std::string>{"date"}));
}

TEST(Args, EveryOptionsMayComeBeforeOrAfterTheInterval) {
  const EveryOptions o = parse_every({"--report", "100ms", "--policy", "drift", "--tolerance=5ms",
                                      "--start-delay", "1", "--count", "3", "--now", "--", "true"});
  EXPECT_EQ(o.interval, 100ms);
  EXPECT_EQ(o.policy, PolicyName::drift);
  EXPECT_EQ(o.tolerance, 5ms);
  EXPECT_EQ(o.start_delay, 1s);
  EXPECT_EQ(o.count, 3u);
  EXPECT_TRUE(o.now);
  EXPECT_TRUE(o.report);
  EXPECT_EQ(parse_every({"1", "--policy=all", "true"}).policy, PolicyName::all);
  EXPECT_EQ(parse_every({"1", "true", "--count"}).command,
            (std::vector<std::string>{"true", "--count"}));
}

TEST(Args, EveryRefusesBadIntervalsCountsAndPolicies) {
  EXPECT_NE(std::string(usage_error({"every", "0", "--", "true"}).what())
                .find("interval '0': must be greater than zero"),
            std::string::npos);
  EXPECT_NE(
      std::string(usage_error({"every", "-1", "--", "true"}).what()).find("must not be negative"),
      std::string::npos);
  EXPECT_NE(std::string(usage_error({"every", "inf", "true"}).what()).find("must be finite"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"every", "--", "true"}).what()).find("no interval"),
            std::string::npos);
  for (const std::string_view count : {"0", "-1", "x", "3x", ""}) {
    EXPECT_NE(
        std::string(usage_error({"every", "1", "--count", count, "true"}).what()).find("--count"),
        std::string::npos)
        << count;
  }
  const UsageError e = usage_error({"every", "1", "--policy", "sometimes", "true"});
  EXPECT_EQ(e.topic(), Topic::every);
  EXPECT_NE(std::string(e.what()).find("expected all, resync or drift"), std::string::npos);
  EXPECT_NE(std::string(usage_error({"every", "1", "--start-delay", "inf", "true"}).what())
                .find("--start-delay"),
            std::string::npos);
}

TEST(Args, SignalsByNameAnyCaseWithOrWithoutSigOrByNumber) {
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGINT"), SIGINT);
  EXPECT_EQ(parse_signal("kill"), SIGKILL);
  EXPECT_EQ(parse_signal("sigusr1"), SIGUSR1);
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX)), SIGRTMAX);
  EXPECT_EQ(parse_signal("0"), std::nullopt);
  EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX + 1)), std::nullopt);
  EXPECT_EQ(parse_signal("9x"), std::nullopt);
  EXPECT_EQ(parse_signal(""), std::nullopt);
  EXPECT_EQ(parse_signal("SIG"), std::nullopt);
  EXPECT_EQ(parse_signal("NOPE"), std::nullopt);
}

TEST(Args, UsageLinesAreTheFirstParagraphOfTheHelp) {
  EXPECT_EQ(tickwheel::cli::usage_line(Topic::run),
            "usage: tickwheel run [OPTIONS] -- CMD [ARG...]");
  EXPECT_EQ(tickwheel::cli::usage_line(Topic::every),
            "usage: tickwheel every DUR [OPTIONS] -- CMD [ARG...]");
  EXPECT_NE(tickwheel::cli::usage_line(Topic::main).find("tickwheel --help | --version"),
            std::string::npos);
}

TEST(Args, OneLetterOptionsAreTheLongOnesWithTheValueAttachedOrNext) {
  const RunOptions o = parse_run({"-t", "2s", "-i250ms", "-k", "1", "-sKILL", "-q", "sleep", "9"});
  EXPECT_EQ(o.timeout, TimeValue(2s));
  EXPECT_EQ(o.idle_timeout, TimeValue(250ms));
  EXPECT_EQ(o.kill_after, std::optional<tickwheel::duration>(1s));
  EXPECT_EQ(o.signal, SIGKILL);
  EXPECT_TRUE(o.quiet);
  EXPECT_EQ(o.command, (std::vector<std::string>{"sleep", "9"}));

  const EveryOptions e = parse_every({"1s", "-p", "drift", "-c3", "-r", "--", "true"});
  EXPECT_EQ(e.policy, PolicyName::drift);
  EXPECT_EQ(e.count, std::optional<std::uint64_t>(3));
  EXPECT_TRUE(e.report);
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"run", "-h"})));
  EXPECT_TRUE(std::holds_alternative<HelpRequest>(parse({"every", "-h"})));
}

TEST(Args, UnknownOrMisusedOneLetterOptionsAreUsageErrors) {
  EXPECT_NE(std::string(usage_error({"run", "-x", "true"}).what()).find("'-x'"), std::string::npos);
  // In a bundle, the unknown letter is the one named.
  EXPECT_NE(std::string(usage_error({"run", "-qx", "true"}).what()).find("'-x'"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"run", "-t"}).what()).find("--timeout needs a value"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"every", "1s", "-t", "1", "true"}).what()).find("'-t'"),
            std::string::npos);
}

TEST(Args, ForegroundIsAFlagOfRunOnly) {
  EXPECT_FALSE(parse_run({"true"}).foreground);
  EXPECT_TRUE(parse_run({"--foreground", "true"}).foreground);
  EXPECT_NE(std::string(usage_error({"run", "--foreground=1", "true"}).what()).find("no value"),
            std::string::npos);
  EXPECT_NE(std::string(usage_error({"every", "1s", "--foreground", "true"}).what())
                .find("'--foreground'"),
            std::string::npos);
}

TEST(Args, PreserveStatusIsAFlagOfRun) {
  EXPECT_FALSE(parse_run({"true"}).preserve_status);
  EXPECT_TRUE(parse_run({"--preserve-status", "true"}).preserve_status);
}

TEST(Args, AnEmptyTimeValueIsRefusedNotReadAsNoLimit) {
  // An unset variable in `-t "$LIMIT"` must not quietly remove the limit.
  for (const char* option : {"--timeout", "--idle-timeout", "--kill-after"}) {
    const std::string what = usage_error({"run", option, "", "--", "true"}).what();
    EXPECT_NE(what.find("empty time value"), std::string::npos) << what;
  }
  EXPECT_NE(std::string(usage_error({"run", "--timeout=", "true"}).what()).find("empty"),
            std::string::npos);
  EXPECT_NE(
      std::string(usage_error({"every", "1s", "--start-delay", " ", "true"}).what()).find("empty"),
      std::string::npos);
}

TEST(Args, BundledOneLetterOptionsAreReadAsGetoptReadsThem) {
  const RunOptions r = parse_run({"-qt0.3", "-k", "1s", "--", "sleep", "-qt9"});
  EXPECT_TRUE(r.quiet);
  EXPECT_EQ(r.timeout, TimeValue(300ms));
  EXPECT_EQ(r.kill_after, std::optional<tickwheel::duration>(1s));
  EXPECT_EQ(r.command, (std::vector<std::string>{"sleep", "-qt9"}));  // the command's own
  const RunOptions spaced = parse_run({"-qs", "KILL", "-t", "1:2", "cmd", "-q"});
  EXPECT_TRUE(spaced.quiet);
  EXPECT_EQ(spaced.signal, SIGKILL);
  EXPECT_EQ(spaced.timeout, TimeValue(62s));
  EXPECT_EQ(spaced.command, (std::vector<std::string>{"cmd", "-q"}));
  const EveryOptions e = parse_every({"-rc3", "1s", "-rp", "all", "echo", "-rc9"});
  EXPECT_TRUE(e.report);
  EXPECT_EQ(e.count, std::optional<std::uint64_t>(3));
  EXPECT_EQ(e.policy, PolicyName::all);
  EXPECT_EQ(e.command, (std::vector<std::string>{"echo", "-rc9"}));
}
