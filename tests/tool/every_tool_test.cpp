// End-to-end tests of `tickwheel every`: real processes and real time, so
// bounds are generous. A run longer than the interval makes the next tick
// late; the tests read the --report lines to see what each policy made of it.
#include <chrono>
#include <cstdint>
#include <regex>
#include <signal.h>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tool_process.hpp"

using namespace tickwheel_tool_test;

namespace {

// One --report line: "tickwheel: tick 3 at +0.400s drift 12.3ms".
struct ReportedTick {
  std::uint64_t number = 0;
  std::int64_t at_ms = 0;           // scheduled, from the start of the schedule
  std::int64_t drift_tenth_ms = 0;  // how late it was taken, in 0.1 ms
};

std::vector<ReportedTick> report_of(const std::string& err) {
  static const std::regex line(
      R"(tickwheel: tick ([0-9]+) at \+([0-9]+)\.([0-9]{3})s drift ([0-9]+)\.([0-9])ms)");
  std::vector<ReportedTick> ticks;
  std::istringstream in(err);
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(text, m, line)) << text;
    if (m.empty()) continue;
    ticks.push_back({std::stoull(m[1]), std::stoll(m[2]) * 1000 + std::stoll(m[3]),
                     std::stoll(m[4]) * 10 + std::stoll(m[5])});
  }
  return ticks;
}

// The moment a reported tick was taken (its run started), in ms from the
// start of the schedule, give or take the report's rounding.
std::int64_t taken_ms(const ReportedTick& t) { return t.at_ms + t.drift_tenth_ms / 10; }

// Every 100 ms, a command that takes 250 ms, three runs: the second tick
// (at 200 ms) is taken only when the first run ends, at 350 ms or later.
Outcome three_slow_runs(const std::string& policy, const std::string& tolerance = "0") {
  return tickwheel({"every", "100ms", "--policy", policy, "--tolerance", tolerance, "--count", "3",
                    "--report", "--", "sleep", "0.25"});
}

}  // namespace

TEST(ToolEvery, RunsCountTimesOneIntervalApart) {
  const ScratchDir dir;
  const std::string log = dir.path() + "/runs";
  const Outcome o =
      tickwheel({"every", "100ms", "--count", "3", "--", "sh", "-c", "echo run >> " + log});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(lines_of(log).size(), 3u);
  EXPECT_GE(o.elapsed, 300ms);  // the first run is one interval after start
  EXPECT_LT(o.elapsed, 1500ms);
}

TEST(ToolEvery, ReportPrintsOneLinePerTickWithItsDrift) {
  const Outcome o = tickwheel({"every", "100ms", "--count", "3", "--report", "--", "true"});
  EXPECT_EQ(o.status, 0);
  const std::vector<ReportedTick> ticks = report_of(o.err);
  ASSERT_EQ(ticks.size(), 3u) << o.err;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_EQ(ticks[i].number, i + 1);
    EXPECT_EQ(ticks[i].at_ms, 100 * static_cast<std::int64_t>(i + 1));  // on the grid
  }
}

TEST(ToolEvery, NeverOverlapsRuns) {
  const ScratchDir scratch;
  const std::string& dir = scratch.path();
  // mkdir is atomic: a second run while one holds the lock would log "overlap".
  const std::string script = "mkdir " + dir + "/lock || echo overlap >> " + dir +
                             "/log; sleep 0.15; rmdir " + dir + "/lock; echo run >> " + dir +
                             "/log";
  const Outcome o = tickwheel({"every", "50ms", "--now", "--count", "3", "--", "sh", "-c", script});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(lines_of(dir + "/log"), (std::vector<std::string>{"run", "run", "run"}));
  EXPECT_GE(o.elapsed, 450ms);
  EXPECT_LT(o.elapsed, 3s);
}

TEST(ToolEvery, TriggerAllMissedRunsOnceForEveryTickMissed) {
  const Outcome o = three_slow_runs("all");
  EXPECT_EQ(o.status, 0);
  const std::vector<ReportedTick> ticks = report_of(o.err);
  ASSERT_EQ(ticks.size(), 3u) << o.err;
  EXPECT_EQ(ticks[0].at_ms, 100);
  EXPECT_EQ(ticks[1].at_ms, 200);  // late, but run
  EXPECT_EQ(ticks[2].at_ms, 300);  // missed during the second run, run after it
  EXPECT_GE(ticks[1].drift_tenth_ms, 1500);
  EXPECT_GE(ticks[2].drift_tenth_ms, 3000);  // the burst falls further behind
  EXPECT_GE(o.elapsed, 850ms);               // 100 ms, then three runs back to back
}

TEST(ToolEvery, ResyncRunsALateTickAtOnceThenReturnsToTheGrid) {
  const Outcome o = three_slow_runs("resync");
  EXPECT_EQ(o.status, 0);
  const std::vector<ReportedTick> ticks = report_of(o.err);
  ASSERT_EQ(ticks.size(), 3u) << o.err;
  EXPECT_EQ(ticks[1].at_ms, 200);
  EXPECT_GE(ticks[1].drift_tenth_ms, 1500);
  // The third tick is the first grid point after the second was taken: the
  // ones in between are dropped.
  EXPECT_EQ(ticks[2].at_ms % 100, 0) << o.err;
  EXPECT_GT(ticks[2].at_ms, taken_ms(ticks[1]) - 1) << o.err;
  EXPECT_LE(ticks[2].at_ms, taken_ms(ticks[1]) + 101) << o.err;
}

TEST(ToolEvery, DriftMovesTheGridToATickLaterThanTheTolerance) {
  const Outcome o = three_slow_runs("drift", "20ms");
  EXPECT_EQ(o.status, 0);
  const std::vector<ReportedTick> ticks = report_of(o.err);
  ASSERT_EQ(ticks.size(), 3u) << o.err;
  EXPECT_EQ(ticks[1].at_ms, 200);
  EXPECT_GE(ticks[1].drift_tenth_ms, 1500);
  // One interval after the late tick was taken (the report rounds to 1 ms).
  const std::int64_t expected = taken_ms(ticks[1]) + 100;
  EXPECT_GE(ticks[2].at_ms, expected - 2) << o.err;
  EXPECT_LE(ticks[2].at_ms, expected + 2) << o.err;
}

TEST(ToolEvery, DriftWithinTheToleranceKeepsTheGrid) {
  const Outcome o = three_slow_runs("drift", "10s");
  EXPECT_EQ(o.status, 0);
  const std::vector<ReportedTick> ticks = report_of(o.err);
  ASSERT_EQ(ticks.size(), 3u) << o.err;
  EXPECT_EQ(ticks[2].at_ms % 100, 0) << o.err;
  EXPECT_GT(ticks[2].at_ms, taken_ms(ticks[1]) - 1) << o.err;
}

TEST(ToolEvery, ExitsWithTheLastRunsStatus) {
  EXPECT_EQ(
      tickwheel({"every", "50ms", "--now", "--count", "2", "--", "sh", "-c", "exit 5"}).status, 5);
}

TEST(ToolEvery, TermIsPassedToTheRunningCommand) {
  const Outcome o =
      tickwheel({"every", "1s", "--now", "--", "sleep", "10"}, SignalLater{300ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolEvery, AHangUpIsPassedToTheRunningCommand) {
  const Outcome o =
      tickwheel({"every", "1s", "--now", "--", "sleep", "10"}, SignalLater{300ms, SIGHUP});
  EXPECT_EQ(o.status, 128 + SIGHUP);
  EXPECT_LT(o.elapsed, 3s);
}

TEST(ToolEvery, TermBetweenRunsEndsAt128PlusN) {
  const Outcome o = tickwheel({"every", "10s", "--", "true"}, SignalLater{200ms, SIGINT});
  EXPECT_EQ(o.status, 128 + SIGINT);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolEvery, AMissingCommandStopsAt127) {
  const Outcome o = tickwheel({"every", "50ms", "--now", "--", "tickwheel-no-such-command"});
  EXPECT_EQ(o.status, 127);
  EXPECT_LT(o.elapsed, 2s);
}
