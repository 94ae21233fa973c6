// End-to-end tests of `tickwheel run` and of the command line as a whole:
// real processes and real time, so bounds are generous and each test stays
// well under two seconds.
#include <chrono>
#include <fstream>
#include <optional>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include <gtest/gtest.h>

#include "tickwheel/version.hpp"
#include "tool_process.hpp"

using namespace tickwheel_tool_test;

TEST(ToolRun, PassesTheExitStatusThrough) {
  EXPECT_EQ(tickwheel({"run", "--", "sh", "-c", "exit 3"}).status, 3);
  EXPECT_EQ(tickwheel({"run", "--timeout", "10s", "--", "true"}).status, 0);
}

TEST(ToolRun, PassesOutputThroughByteForByte) {
  const Outcome o =
      tickwheel({"run", "--", "sh", "-c", "printf 'a\\000b\\nc'; printf 'to err' >&2"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, std::string("a\0b\nc", 5));  // no newline added at the end
  EXPECT_EQ(o.err, "to err");
}

TEST(ToolRun, LosesNothingOfALargeOutputWrittenJustBeforeExit) {
  const Outcome o =
      tickwheel({"run", "--idle-timeout", "5s", "--", "head", "-c", "300000", "/dev/zero"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, std::string(300000, '\0'));
}

TEST(ToolRun, ReportsADeathBySignalAs128PlusN) {
  EXPECT_EQ(tickwheel({"run", "--", "sh", "-c", "kill -9 $$"}).status, 137);
}

TEST(ToolRun, OverallTimeoutStopsTheCommandWith124) {
  const Outcome o = tickwheel({"run", "--timeout", "300ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_GE(o.elapsed, 300ms);
  EXPECT_LT(o.elapsed, 2s);
  EXPECT_EQ(o.err, "tickwheel: timed out after 300ms (overall limit)\n");
}

TEST(ToolRun, QuietPrintsNothingOfItsOwn) {
  const Outcome o = tickwheel({"run", "--quiet", "--timeout", "100ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_EQ(o.err, "");
}

TEST(ToolRun, IdleTimeoutFiresWhenOutputStops) {
  const Outcome o =
      tickwheel({"run", "--idle-timeout", "300ms", "--", "sh", "-c", "echo a; sleep 10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_EQ(o.out, "a\n");
  EXPECT_EQ(o.err, "tickwheel: no output for 300ms (idle limit)\n");
  EXPECT_GE(o.elapsed, 300ms);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, IdleTimeoutDoesNotFireWhileOutputKeepsComing) {
  // A line every 50 ms for about 600 ms, on stdout and stderr in turn.
  const Outcome o = tickwheel({"run", "--idle-timeout", "300ms", "--", "sh", "-c",
                               "for i in 1 2 3 4 5 6; do echo $i; sleep 0.05; echo $i >&2; "
                               "sleep 0.05; done"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "1\n2\n3\n4\n5\n6\n");
  EXPECT_EQ(o.err, "1\n2\n3\n4\n5\n6\n");
  EXPECT_GE(o.elapsed, 550ms);
}

// A limit that had to send KILL ends with 128+9, as timeout(1) documents.
TEST(ToolRun, KillAfterEscalatesToKillForACommandThatIgnoresTerm) {
  const Outcome o = tickwheel({"run", "--timeout", "200ms", "--kill-after", "300ms", "--", "sh",
                               "-c", "trap '' TERM; sleep 10"});
  EXPECT_EQ(o.status, 128 + SIGKILL);
  EXPECT_GE(o.elapsed, 500ms);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, SignalChoosesWhatTheLimitSends) {
  const Outcome o = tickwheel({"run", "--timeout", "200ms", "--signal", "KILL", "--", "sh", "-c",
                               "trap '' TERM; sleep 10"});
  EXPECT_EQ(o.status, 128 + SIGKILL);
  EXPECT_LT(o.elapsed, 2s);
  const Outcome interrupted = tickwheel({"run", "--timeout", "200ms", "--signal", "INT", "--", "sh",
                                         "-c", "trap 'exit 0' INT; sleep 10 & wait"});
  EXPECT_EQ(interrupted.status, 124);
}

TEST(ToolRun, PassesTermOnToTheCommandAndReportsItsEnd) {
  const Outcome o = tickwheel({"run", "--", "sleep", "10"}, SignalLater{300ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, MissingCommandIs127) {
  const Outcome o = tickwheel({"run", "--", "tickwheel-no-such-command"});
  EXPECT_EQ(o.status, 127);
  EXPECT_NE(o.err.find("tickwheel-no-such-command"), std::string::npos) << o.err;
}

TEST(ToolRun, NonExecutableFileIs126) {
  const ScratchDir dir;
  const std::string file = dir.path() + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\n";
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const Outcome o = tickwheel({"run", "--", file});
  EXPECT_EQ(o.status, 126);
  EXPECT_NE(o.err.find("Permission denied"), std::string::npos) << o.err;
}

TEST(ToolRun, MalformedOrNegativeDurationsAre125AndNameTheOption) {
  Outcome o = tickwheel({"run", "--idle-timeout", "5 parsecs", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_NE(o.err.find("--idle-timeout '5 parsecs'"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("usage: tickwheel run"), std::string::npos) << o.err;
  o = tickwheel({"run", "--timeout=-1", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_NE(o.err.find("--timeout '-1': must not be negative"), std::string::npos) << o.err;
}

TEST(Tool, UnknownOptionPrintsUsageAndExits125) {
  const Outcome o = tickwheel({"run", "--frobnicate", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("unknown option '--frobnicate'"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("usage: tickwheel run"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("Try 'tickwheel run --help'"), std::string::npos) << o.err;
  const Outcome top = tickwheel({"--frobnicate"});
  EXPECT_EQ(top.status, 125);
  EXPECT_NE(top.err.find("Try 'tickwheel --help'"), std::string::npos) << top.err;
}

TEST(Tool, HelpAndVersion) {
  Outcome o = tickwheel({"--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("usage: tickwheel run"), std::string::npos);
  EXPECT_NE(o.out.find("tickwheel every DUR"), std::string::npos);
  o = tickwheel({"run", "--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("--idle-timeout DUR"), std::string::npos);
  o = tickwheel({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "tickwheel " TICKWHEEL_VERSION "\n");
}

TEST(ToolRun, LimitsFireWhileTheReaderOfItsOutputReadsNothing) {
  const Clock::time_point start = Clock::now();
  const ToolProcess tool({"run", "--timeout", "500ms", "--", "yes"});  // nobody reads out()
  const std::optional<int> status = exit_within(tool.pid(), 10s);
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(status.has_value()) << "tickwheel blocked on its full stdout";
  EXPECT_EQ(*status, 124);
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(read_slowly(tool.err(), 4096, 0us),
            "tickwheel: timed out after 500ms (overall limit)\n");
}

TEST(ToolRun, ASlowReaderGetsEveryByteWithoutTrippingTheIdleLimit) {
  // 1 MB written at once, read 64 KiB every 40 ms (about 0.6 s): the command
  // waits on the reader far longer than the idle limit, but output moves.
  const ToolProcess tool(
      {"run", "--idle-timeout", "300ms", "--", "head", "-c", "1000000", "/dev/zero"});
  const std::string got = read_slowly(tool.out(), 65536, 40ms);
  const std::optional<int> status = exit_within(tool.pid(), 10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_EQ(got.size(), 1000000u);
  EXPECT_EQ(got.find_first_not_of('\0'), std::string::npos);
  EXPECT_EQ(read_slowly(tool.err(), 4096, 0us), "");
}

namespace {

// The first two words of `text`: what a probe shell printed of itself and
// of its parent (tickwheel).
std::pair<std::string, std::string> two_words(const std::string& text) {
  std::istringstream in(text);
  std::pair<std::string, std::string> words;
  in >> words.first >> words.second;
  return words;
}

}  // namespace

// Field 5 of /proc/<pid>/stat is the process group; the shell prints its own
// and its parent's (tickwheel's).
constexpr const char* print_groups = "cut -d' ' -f5 /proc/$$/stat; cut -d' ' -f5 /proc/$PPID/stat";

TEST(ToolRun, TheCommandLeadsAProcessGroupOfItsOwn) {
  const Outcome o = tickwheel({"run", "--", "sh", "-c", print_groups});
  ASSERT_EQ(o.status, 0);
  const auto [command_group, tool_group] = two_words(o.out);
  EXPECT_FALSE(command_group.empty());
  EXPECT_NE(command_group, tool_group);
}

TEST(ToolRun, ForegroundLeavesTheCommandInTheToolsProcessGroupAndStillTimesItOut) {
  const Outcome o = tickwheel({"run", "--foreground", "--", "sh", "-c", print_groups});
  ASSERT_EQ(o.status, 0);
  const auto [command_group, tool_group] = two_words(o.out);
  EXPECT_FALSE(command_group.empty());
  EXPECT_EQ(command_group, tool_group);

  const Outcome limited =
      tickwheel({"run", "--foreground", "--timeout", "300ms", "--", "sleep", "10"});
  EXPECT_EQ(limited.status, 124);
  EXPECT_GE(limited.elapsed, 300ms);
  EXPECT_LT(limited.elapsed, 2s);
}

TEST(ToolRun, ForegroundDoesNotWaitForWhatTheCommandLeftRunning) {
  // The shell ends at TERM; the sleep it started keeps tickwheel's pipes
  // open (the idle limit makes it read the output), and in the foreground
  // the limit does not reach it.
  const Outcome o = tickwheel({"run", "--foreground", "--timeout", "300ms", "--idle-timeout", "10s",
                               "--", "sh", "-c", "sleep 3 & wait"});
  EXPECT_EQ(o.status, 124);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, ALimitEndsTheRunEvenIfSomethingOutOfItsReachHoldsTheOutput) {
  // setsid: a session of its own, which the limit's signal to the group
  // does not reach; it holds the output pipes for 5 s.
  const Outcome o = tickwheel({"run", "--timeout", "300ms", "--idle-timeout", "10s", "--", "sh",
                               "-c", "setsid sleep 5 & echo started; sleep 10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_EQ(o.out, "started\n");
  EXPECT_LT(o.elapsed, 3s);
}

// Field 2 of /proc/<pid>/fd/1's link names the file: the command and
// tickwheel share one unless the idle limit makes tickwheel read the output.
constexpr const char* print_stdouts = "readlink /proc/$$/fd/1; readlink /proc/$PPID/fd/1";

TEST(ToolRun, WithoutAnIdleLimitTheCommandWritesToTheToolsOwnOutput) {
  const Outcome o = tickwheel({"run", "--timeout", "10s", "--", "sh", "-c", print_stdouts});
  ASSERT_EQ(o.status, 0);
  const auto [command_out, tool_out] = two_words(o.out);
  EXPECT_FALSE(command_out.empty());
  EXPECT_EQ(command_out, tool_out);  // a terminal would stay a terminal to it

  const Outcome watched =
      tickwheel({"run", "--idle-timeout", "10s", "--", "sh", "-c", print_stdouts});
  const auto [piped_out, tool_own_out] = two_words(watched.out);
  EXPECT_NE(piped_out, tool_own_out);  // a pipe from the command to tickwheel
}

TEST(ToolRun, StdoutAndStderrToOnePlaceKeepTheirOrder) {
  const std::string script = "for i in 1 2 3 4 5; do echo o$i; echo e$i >&2; done";
  const std::string expected = "o1\ne1\no2\ne2\no3\ne3\no4\ne4\no5\ne5\n";
  EXPECT_EQ(tickwheel({"run", "--", "sh", "-c", script}, std::nullopt, /*merged=*/true).out,
            expected);
  EXPECT_EQ(
      tickwheel({"run", "--idle-timeout", "10s", "--", "sh", "-c", script}, std::nullopt, true).out,
      expected);
}

TEST(ToolRun, ASignalToTheToolWakesAStoppedCommand) {
  const Outcome o = tickwheel({"run", "--", "sh", "-c", "kill -STOP $$; echo resumed"},
                              SignalLater{300ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_LT(o.elapsed, 3s);
}

TEST(ToolRun, KillAfterAlsoFollowsASignalSentToTheTool) {
  const Outcome o = tickwheel(
      {"run", "--kill-after", "300ms", "--", "sh", "-c", "trap '' TERM; sleep 5 & wait; sleep 5"},
      SignalLater{200ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGKILL);
  EXPECT_GE(o.elapsed, 500ms);
  EXPECT_LT(o.elapsed, 3s);
}

TEST(ToolRun, AnInterruptIsPassedOnEvenIfTheToolStartedWithItIgnored) {
  // A command started with `&` from a script ignores INT; timeout(1) still
  // stops its command on INT, and so does tickwheel.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &before), 0);
  const Outcome o = tickwheel({"run", "--", "sleep", "10"}, SignalLater{300ms, SIGINT});
  ::sigaction(SIGINT, &before, nullptr);
  EXPECT_EQ(o.status, 128 + SIGINT);
  EXPECT_LT(o.elapsed, 3s);
}

TEST(ToolRun, TheIdleLimitWaitsForAReaderThatHoldsTheCommandUp) {
  // The reader takes nothing for 1 s: the command is blocked writing, not
  // idle, and the 300 ms idle limit must not stop it.
  const ToolProcess tool(
      {"run", "--idle-timeout", "300ms", "--", "head", "-c", "1000000", "/dev/zero"});
  std::this_thread::sleep_for(1s);
  const std::string got = read_slowly(tool.out(), 65536, 0us);
  const std::optional<int> status = exit_within(tool.pid(), 10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_EQ(got.size(), 1000000u);
  EXPECT_EQ(read_slowly(tool.err(), 4096, 0us), "");
}

TEST(ToolRun, PreserveStatusExitsWithTheCommandsOwnStatusAfterALimit) {
  const Outcome o =
      tickwheel({"run", "--preserve-status", "--timeout", "200ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_EQ(o.err, "tickwheel: timed out after 200ms (overall limit)\n");
  const Outcome trapped = tickwheel({"run", "--preserve-status", "--timeout", "200ms", "--", "sh",
                                     "-c", "trap 'exit 7' TERM; sleep 10 & wait"});
  EXPECT_EQ(trapped.status, 7);
}

TEST(ToolRun, OutputThatCannotBePassedOnIsReportedNotLostInSilence) {
  // The tool's own stdout is /dev/full: the command's writes into the pipe
  // succeed, tickwheel's fail, and it says so once.
  const Outcome o = tickwheel({"run", "--", "sh", "-c",
                               std::string("'") + TICKWHEEL_TOOL +
                                   "' run --idle-timeout 5s -- sh -c 'echo a; sleep 0.1; echo b' "
                                   ">/dev/full"});
  EXPECT_EQ(o.err, "tickwheel: cannot pass the command's output on: No space left on device\n");
}
