#include "tickwheel/poll_timer.hpp"

#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::duration;
using tickwheel::ManualClock;
using tickwheel::PollTimer;
using tickwheel::time_point;
using tickwheel::TimeoutError;
using tickwheel::TimerState;
using tickwheel::TimeValue;

namespace {

time_point at(duration d) { return time_point{d}; }

// The seed's clock: it reports whole seconds of a finer real time, so a start
// sampled late in a second looks like the start of that second.
struct WholeSecondClock {
  const ManualClock* real;
  time_point now() const noexcept { return std::chrono::floor<std::chrono::seconds>(real->now()); }
  duration resolution() const noexcept { return 1s; }
};

// Options for a timer on `clock` with no fudge, so end times are exact.
tickwheel::TimerOptions exact(const ManualClock& clock, std::string name = {}) {
  return {.clock = clock, .name = std::move(name), .fudge = duration::zero()};
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST(PollTimer, StartsResetWithTheGivenInterval) {
  ManualClock clock;
  const PollTimer t(5s, {.clock = clock});
  EXPECT_EQ(t.state(), TimerState::reset);
  EXPECT_TRUE(t.is_reset());
  EXPECT_FALSE(t.is_running());
  EXPECT_FALSE(t.is_expired());
  EXPECT_EQ(t.interval(), TimeValue(5s));
  EXPECT_FALSE(t.start_time());
  EXPECT_FALSE(t.end_time());
  EXPECT_FALSE(t.is_timeout());
  EXPECT_FALSE(t.debug());
}

TEST(PollTimer, IntervalFromDurationTimeValueOrString) {
  ManualClock clock;
  EXPECT_EQ(PollTimer(1500ms, {.clock = clock}).interval(), TimeValue(1500ms));
  EXPECT_EQ(PollTimer(TimeValue::infinite(), {.clock = clock}).interval(), TimeValue::infinite());
  EXPECT_EQ(PollTimer("1:30", {.clock = clock}).interval(), TimeValue(90s));
  EXPECT_EQ(PollTimer("250ms", {.clock = clock}).interval(), TimeValue(250ms));
  EXPECT_EQ(PollTimer(std::string("inf"), {.clock = clock}).interval(), TimeValue::infinite());
  EXPECT_FALSE(PollTimer(tickwheel::TimerOptions{.clock = clock}).interval());
}

TEST(PollTimer, DefaultNamesCountUp) {
  const PollTimer a;
  const PollTimer b;
  ASSERT_EQ(a.name().rfind("timer #", 0), 0u) << a.name();
  const auto n = std::stoull(a.name().substr(7));
  EXPECT_EQ(b.name(), "timer #" + std::to_string(n + 1));
  PollTimer c(tickwheel::TimerOptions{.name = "stall timer"});
  EXPECT_EQ(c.name(), "stall timer");
  c.set_name("other");
  EXPECT_EQ(c.name(), "other");
  // A named timer takes its number too, as in the seed: #N is the Nth built.
  const PollTimer d;
  EXPECT_EQ(d.name(), "timer #" + std::to_string(n + 3));
  const PollTimer copy = d;  // a copy is the same timer's value, not a new one
  EXPECT_EQ(copy.name(), d.name());
  EXPECT_EQ(PollTimer().name(), "timer #" + std::to_string(n + 4));
}

TEST(PollTimer, FudgeDefaultsToTheClockResolution) {
  ManualClock manual;  // declares no resolution(): ClockRef reports 1 ns
  EXPECT_EQ(PollTimer(tickwheel::TimerOptions{.clock = manual}).fudge(), 1ns);
  const WholeSecondClock coarse{&manual};
  EXPECT_EQ(PollTimer(tickwheel::TimerOptions{.clock = coarse}).fudge(), 1s);
  EXPECT_EQ(PollTimer().fudge(), tickwheel::SteadyClock::resolution());
  EXPECT_EQ(PollTimer(tickwheel::TimerOptions{.fudge = 3ms}).fudge(), 3ms);
}

TEST(PollTimer, CheckCountsDownThenExpiresExactlyOnce) {
  ManualClock clock(at(100s));
  PollTimer t(5s, exact(clock));
  EXPECT_EQ(t.check(), std::nullopt);  // reset: no value, not zero
  t.start();
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.start_time(), at(100s));
  EXPECT_EQ(t.end_time(), at(105s));
  EXPECT_EQ(t.check(), 5s);
  clock.advance(4999ms);
  EXPECT_EQ(t.check(), 1ms);
  clock.advance(1ms);
  EXPECT_EQ(t.check(), 0s);  // the check that finds it due
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(t.check(), std::nullopt);  // expired: not running, no value
  EXPECT_EQ(t.end_time(), at(105s));   // when it did expire
}

TEST(PollTimer, ReadsTheClockItWasGiven) {
  ManualClock clock(at(42s));
  PollTimer t(1s, exact(clock));
  EXPECT_EQ(t.clock().now(), at(42s));
  EXPECT_FALSE(t.clock().is_steady());
  EXPECT_TRUE(PollTimer().clock().is_steady());
  t.start(at(10s));  // a given now, the interval kept
  EXPECT_EQ(t.start_time(), at(10s));
  EXPECT_EQ(t.end_time(), at(11s));
  EXPECT_EQ(t.check(), 0s);  // the clock says 42 s
}

TEST(PollTimer, CheckWithAGivenNow) {
  ManualClock clock;
  PollTimer t(10s, exact(clock));
  t.start(5s, at(50s));  // interval and now given
  EXPECT_EQ(t.interval(), TimeValue(5s));
  EXPECT_EQ(t.start_time(), at(50s));
  EXPECT_EQ(t.check(at(52s)), 3s);
  EXPECT_EQ(t.check(at(49s)), 6s);  // a now before the start is simply earlier
  EXPECT_EQ(t.check(at(60s)), 0s);
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(clock.now(), time_point{});  // the clock was never needed
}

TEST(PollTimer, DefaultFudgeMakesEndTimeOneResolutionLater) {
  ManualClock clock;
  PollTimer t(5s, {.clock = clock});
  t.start();
  EXPECT_EQ(t.end_time(), at(5s + 1ns));
  EXPECT_EQ(t.check(), 5s + 1ns);
}

TEST(PollTimer, ZeroIntervalGetsNoFudgeAndExpiresAtFirstCheck) {
  ManualClock clock(at(7s));
  PollTimer t(0s, {.clock = clock, .fudge = 1s});
  t.start();
  EXPECT_EQ(t.end_time(), at(7s));
  EXPECT_EQ(t.check(), 0s);
  EXPECT_TRUE(t.is_expired());
}

TEST(PollTimer, StartWithoutAnyIntervalThrowsAndChangesNothing) {
  ManualClock clock;
  PollTimer t(tickwheel::TimerOptions{.clock = clock, .name = "lonely"});
  try {
    t.start();
    FAIL() << "no exception";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::invalid_argument);
    EXPECT_TRUE(contains(e.what(), "lonely")) << e.what();
    EXPECT_TRUE(contains(e.what(), "no interval was ever set and no end time")) << e.what();
  }
  EXPECT_TRUE(t.is_reset());
  EXPECT_FALSE(t.start_time());
  t.set_interval(2s);
  t.start();
  EXPECT_TRUE(t.is_running());
}

TEST(PollTimer, StartRestartsFromEveryState) {
  ManualClock clock;
  PollTimer t(5s, exact(clock));
  t.start();
  clock.advance(3s);
  t.start();  // running -> running, from now
  EXPECT_EQ(t.start_time(), at(3s));
  EXPECT_EQ(t.end_time(), at(8s));
  clock.advance(5s);
  EXPECT_EQ(t.check(), 0s);
  ASSERT_TRUE(t.is_expired());
  clock.advance(1s);
  t.start();  // expired -> running
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.end_time(), at(14s));
  t.start(1s);  // a new interval replaces the old one
  EXPECT_EQ(t.interval(), TimeValue(1s));
  EXPECT_EQ(t.end_time(), at(10s));
  t.start("2:00");
  EXPECT_EQ(t.end_time(), at(129s));
  t.start("3s", at(200s));
  EXPECT_EQ(t.end_time(), at(203s));
}

TEST(PollTimer, EndTimeSetOnAResetTimerIsKeptByStart) {
  ManualClock clock(at(10s));
  PollTimer t(5s, exact(clock));
  t.set_end_time(at(100s));
  EXPECT_EQ(t.end_time(), at(100s));
  EXPECT_TRUE(t.is_reset());
  t.start();  // reset with an end time: keeps it, ignores the interval
  EXPECT_EQ(t.start_time(), at(10s));
  EXPECT_EQ(t.end_time(), at(100s));
  t.start();  // running: the end time comes from the interval again
  EXPECT_EQ(t.end_time(), at(15s));

  t.reset();
  t.set_end_time(at(100s));
  t.start(7s);  // an explicit interval always wins
  EXPECT_EQ(t.end_time(), at(17s));
}

TEST(PollTimer, EndTimeAloneStartsATimerWithoutInterval) {
  ManualClock clock;
  PollTimer t(exact(clock));
  t.set_end_time(at(3s));
  t.start();
  EXPECT_EQ(t.check(), 3s);
  // Restarting a running timer needs an interval, which it never had.
  EXPECT_THROW(t.start(), tickwheel::error);
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.end_time(), at(3s));
}

TEST(PollTimer, SetEndTimeWhileRunningMovesExpiry) {
  ManualClock clock;
  PollTimer t(5s, exact(clock));
  t.start();
  t.set_end_time(at(2s));
  EXPECT_EQ(t.check(), 2s);
  clock.advance(2s);
  EXPECT_EQ(t.check(), 0s);
  EXPECT_TRUE(t.is_expired());
}

TEST(PollTimer, SetEndTimeWhileExpiredHasNoEffect) {
  ManualClock clock;
  PollTimer t(1s, exact(clock));
  t.start();
  clock.advance(1s);
  (void)t.check();
  ASSERT_TRUE(t.is_expired());
  t.set_end_time(at(50s));
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(t.end_time(), at(1s));
  t.start();  // and a later start computes from the interval
  EXPECT_EQ(t.end_time(), at(2s));
}

TEST(PollTimer, SetIntervalWhileRunningMovesEndFromTheStart) {
  ManualClock clock;
  PollTimer t(10s, {.clock = clock, .fudge = 1s});
  t.start();
  clock.advance(3s);
  t.set_interval(5s);
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.start_time(), at(0s));
  EXPECT_EQ(t.end_time(), at(6s));  // start + 5 s + fudge
  EXPECT_EQ(t.check(), 3s);
  t.set_interval("1");  // already past: the next check expires it
  EXPECT_EQ(t.end_time(), at(2s));
  EXPECT_EQ(t.check(), 0s);
  EXPECT_TRUE(t.is_expired());
  t.set_interval(4s);  // expired: only recorded
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(t.interval(), TimeValue(4s));
  t.reset();
  t.set_interval(8s);  // reset: only recorded
  EXPECT_FALSE(t.end_time());
  EXPECT_EQ(t.interval(), TimeValue(8s));
}

TEST(PollTimer, ExpireFromEveryState) {
  ManualClock clock;
  PollTimer t(5s, exact(clock));
  t.expire();  // a reset timer can expire without starting
  EXPECT_TRUE(t.is_expired());
  EXPECT_FALSE(t.start_time());
  t.expire();  // already expired: nothing
  EXPECT_TRUE(t.is_expired());
  t.start();
  t.expire();
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(t.check(), std::nullopt);
}

TEST(PollTimer, ResetClearsTimesKeepsInterval) {
  ManualClock clock;
  PollTimer t(5s, exact(clock));
  for (int from = 0; from < 3; ++from) {
    t.reset();
    if (from == 1) t.start();
    if (from == 2) t.expire();
    t.reset();
    EXPECT_TRUE(t.is_reset());
    EXPECT_FALSE(t.start_time());
    EXPECT_FALSE(t.end_time());
    EXPECT_EQ(t.interval(), TimeValue(5s));
    EXPECT_EQ(t.check(), std::nullopt);
  }
}

TEST(PollTimer, InfiniteIntervalNeverExpires) {
  ManualClock clock;
  PollTimer t("inf", {.clock = clock});
  t.start();
  EXPECT_EQ(t.end_time(), time_point::max());
  EXPECT_EQ(t.check(), duration::max());
  clock.advance(std::chrono::hours(24 * 365 * 200));
  EXPECT_EQ(t.check(), duration::max());
  clock.set(time_point::max());  // even at the end of time
  EXPECT_EQ(t.check(), duration::max());
  EXPECT_TRUE(t.is_running());
  t.expire();  // but it can be expired by hand
  EXPECT_TRUE(t.is_expired());
}

TEST(PollTimer, HugeIntervalSaturatesToNever) {
  ManualClock clock(at(std::chrono::hours(24 * 365 * 200)));
  PollTimer t(std::chrono::hours(24 * 365 * 200), {.clock = clock});
  t.start();
  EXPECT_EQ(t.end_time(), time_point::max());
  EXPECT_EQ(t.check(), duration::max());
}

TEST(PollTimer, TimeoutThrowsFromTheCheckThatFindsItDue) {
  ManualClock clock;
  PollTimer t = tickwheel::timeout(2s, exact(clock, "stall"));
  EXPECT_TRUE(t.is_timeout());
  EXPECT_EQ(t.exception(), "tickwheel: timeout on stall");
  EXPECT_EQ(tickwheel::default_timeout_text("stall"), "tickwheel: timeout on stall");
  t.start();
  clock.advance(1s);
  EXPECT_EQ(t.check(), 1s);
  clock.advance(1s);
  try {
    (void)t.check();
    FAIL() << "no exception";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::timed_out);
    EXPECT_EQ(e.timer_name(), "stall");
    EXPECT_STREQ(e.what(), "tickwheel: timeout on stall");
  }
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(t.check(), std::nullopt);  // no second throw
  EXPECT_NO_THROW(t.expire());         // already expired
}

TEST(PollTimer, TimeoutWithItsOwnText) {
  ManualClock clock;
  PollTimer t = tickwheel::timeout(
      5s, {.clock = clock, .name = "stall", .exception = "kablooey", .fudge = duration::zero()});
  EXPECT_EQ(t.exception(), "kablooey");
  try {
    t.expire();  // expire() throws too, even on a reset timer
    FAIL() << "no exception";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "kablooey [stall]");  // the text, and which timer it was
    EXPECT_EQ(e.text(), "kablooey");
    EXPECT_EQ(e.code(), tickwheel::errc::timed_out);
    static_assert(std::is_base_of_v<std::system_error, TimeoutError>);
  }
  EXPECT_TRUE(t.is_expired());
  t.set_exception(std::nullopt);  // now a plain timer
  t.start();
  clock.advance(5s);
  EXPECT_EQ(t.check(), 0s);
  t.set_exception("again");
  t.start();
  clock.advance(5s);
  EXPECT_THROW((void)t.check(), TimeoutError);
}

TEST(PollTimer, FactoriesWithoutInterval) {
  ManualClock clock;
  PollTimer a = tickwheel::timer(exact(clock));
  EXPECT_FALSE(a.interval());
  EXPECT_FALSE(a.is_timeout());
  a.set_interval(5s);
  a.start();
  EXPECT_EQ(a.end_time(), at(5s));
  PollTimer b = tickwheel::timeout(tickwheel::TimerOptions{.clock = clock});
  EXPECT_EQ(b.exception(), "tickwheel: timeout on " + b.name());
  EXPECT_EQ(tickwheel::timer("1:00", exact(clock)).interval(), TimeValue(60s));
  EXPECT_EQ(tickwheel::timeout("1m", exact(clock)).interval(), TimeValue(60s));
  EXPECT_TRUE(tickwheel::timeout(1min, exact(clock)).is_timeout());
}

TEST(PollTimer, BadInput) {
  ManualClock clock;
  auto code_of = [](auto&& f) {
    try {
      f();
    } catch (const tickwheel::error& e) {
      return e.code();
    }
    return std::error_code{};
  };
  const auto invalid = make_error_code(tickwheel::errc::invalid_argument);
  const auto malformed = make_error_code(tickwheel::errc::parse_error);
  EXPECT_EQ(code_of([&] { PollTimer t(-1s, {.clock = clock}); }), invalid);
  EXPECT_EQ(code_of([&] { PollTimer t("-5", {.clock = clock}); }), invalid);
  EXPECT_EQ(code_of([&] { PollTimer t("1:x", {.clock = clock}); }), malformed);
  EXPECT_EQ(code_of([&] { (void)tickwheel::timer(-1ns); }), invalid);
  EXPECT_EQ(code_of([&] { PollTimer t(tickwheel::TimerOptions{.fudge = -1ns}); }), invalid);
  EXPECT_EQ(
      code_of([&] {
        (void)PollTimer(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));
      }),
      invalid);

  PollTimer t(5s, exact(clock));
  t.start();
  EXPECT_EQ(code_of([&] { t.start(-2s); }), invalid);
  EXPECT_EQ(code_of([&] { t.start("5 parsecs"); }), malformed);
  EXPECT_EQ(code_of([&] { t.set_interval(-2s); }), invalid);
  EXPECT_EQ(code_of([&] { t.set_interval("1::2"); }), malformed);
  EXPECT_EQ(code_of([&] { t.set_fudge(-1s); }), invalid);
  // None of it changed the timer.
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.interval(), TimeValue(5s));
  EXPECT_EQ(t.end_time(), at(5s));
  EXPECT_EQ(t.fudge(), 0s);
  try {
    t.set_interval(-3s);
  } catch (const tickwheel::error& e) {
    EXPECT_TRUE(contains(e.what(), "-3")) << e.what();
    EXPECT_TRUE(contains(e.what(), t.name())) << e.what();
  }
}

TEST(PollTimer, SetFudgeAppliesToLaterEndTimes) {
  ManualClock clock;
  PollTimer t(5s, exact(clock));
  t.start();
  t.set_fudge(2s);
  EXPECT_EQ(t.fudge(), 2s);
  EXPECT_EQ(t.end_time(), at(5s));
  t.start();
  EXPECT_EQ(t.end_time(), at(7s));
}

TEST(PollTimer, DebugLinesGoToTheSinkOnlyWhenOn) {
  ManualClock clock;
  std::vector<std::string> lines;
  PollTimer t(2s, {.clock = clock,
                   .name = "dbg",
                   .debug = true,
                   .debug_sink = [&](std::string_view l) { lines.emplace_back(l); },
                   .fudge = duration::zero()});
  EXPECT_TRUE(t.debug());
  t.start();
  t.set_interval(3s);
  t.set_end_time(at(4s));
  clock.advance(4s);
  (void)t.check();
  t.reset();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "tickwheel: dbg: started at 0, ends at 2");
  EXPECT_EQ(lines[1], "tickwheel: dbg: interval set to 3, ends at 3");
  EXPECT_EQ(lines[2], "tickwheel: dbg: end time set to 4");
  EXPECT_EQ(lines[3], "tickwheel: dbg: expired");
  EXPECT_EQ(lines[4], "tickwheel: dbg: reset");
  t.set_debug(false);
  t.start();
  t.expire();
  EXPECT_EQ(lines.size(), 5u);
}

TEST(PollTimer, DebugSinkCanBeReplacedAndRemoved) {
  ManualClock clock;
  PollTimer t(1s, {.clock = clock, .name = "s", .debug = true});
  std::vector<std::string> lines;
  t.set_debug_sink([&](std::string_view l) { lines.emplace_back(l); });
  t.expire();
  EXPECT_EQ(lines, std::vector<std::string>{"tickwheel: s: expired"});
  t.set_debug_sink({});  // back to stderr
  testing::internal::CaptureStderr();
  t.reset();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "tickwheel: s: reset\n");
  EXPECT_EQ(lines.size(), 1u);
}

TEST(PollTimer, DebugDefaultsToStderr) {
  ManualClock clock;
  PollTimer t("inf", {.clock = clock, .name = "loud", .debug = true});
  testing::internal::CaptureStderr();
  t.start();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "tickwheel: loud: started at 0, ends at never\n");
}

TEST(PollTimer, CopiesAreIndependent) {
  ManualClock clock;
  PollTimer a(5s, exact(clock, "a"));
  a.start();
  PollTimer b = a;
  clock.advance(5s);
  EXPECT_EQ(b.check(), 0s);
  EXPECT_TRUE(b.is_expired());
  EXPECT_TRUE(a.is_running());
  EXPECT_EQ(b.name(), "a");
}

TEST(PollTimer, StateNames) {
  EXPECT_EQ(tickwheel::to_string(TimerState::reset), "reset");
  EXPECT_EQ(tickwheel::to_string(TimerState::running), "running");
  EXPECT_EQ(tickwheel::to_string(TimerState::expired), "expired");
}

// The seed's "Interval fudging" diagrams. Real time is `real`; the timer sees
// only whole seconds (WholeSecondClock, resolution 1 s, so the default fudge
// is 1 s). A 1 s timer started at real 0.95 -- the end of period 0 -- sees the
// start as 0.
TEST(PollTimer, SeedTickDiagramWithoutFudgeExpiresEarly) {
  ManualClock real(at(950ms));
  const WholeSecondClock seen{&real};
  PollTimer t(1s, {.clock = seen, .fudge = duration::zero()});
  t.start();
  EXPECT_EQ(t.start_time(), at(0s));
  real.set(at(1s));          // tick 1: the reported time leaps from 0 to 1
  EXPECT_EQ(t.check(), 0s);  // expired after 50 ms of a 1 s interval
}

TEST(PollTimer, SeedTickDiagramWithFudgeWaitsForTick2) {
  ManualClock real(at(950ms));
  const WholeSecondClock seen{&real};
  PollTimer t(1s, {.clock = seen});
  EXPECT_EQ(t.fudge(), 1s);
  t.start();
  EXPECT_EQ(t.end_time(), at(2s));
  real.set(at(1s));  // tick 1
  EXPECT_EQ(t.check(), 1s);
  real.set(at(1999ms));  // still period 1
  EXPECT_EQ(t.check(), 1s);
  real.set(at(2s));  // tick 2: not before
  EXPECT_EQ(t.check(), 0s);
  EXPECT_TRUE(t.is_expired());
}

// Every start point within a period, intervals of 0..3 s, checked every
// 10 ms of real time: never early, and at most the fudge (one period) late.
TEST(PollTimer, FudgeIsNeverEarlyOnACoarseClock) {
  for (int interval = 0; interval <= 3; ++interval) {
    for (int start_ms = 0; start_ms < 1000; start_ms += 10) {
      ManualClock real(at(std::chrono::milliseconds(5000 + start_ms)));
      const WholeSecondClock seen{&real};
      PollTimer t(std::chrono::seconds(interval), {.clock = seen});
      t.start();
      const time_point started = real.now();
      while (t.check().value() > 0s) real.advance(10ms);
      const duration elapsed = real.now() - started;
      EXPECT_GE(elapsed, std::chrono::seconds(interval)) << interval << " " << start_ms;
      if (interval > 0) {
        EXPECT_LE(elapsed, std::chrono::seconds(interval) + 1s) << interval << " " << start_ms;
      }
    }
  }
}

// The seed's synopsis: a timer checked in a loop; 10 s to get started, then
// 5 s to respond. Each loop stands for pump(): it does a bit of work (here:
// one second passes) and checks the timer.
TEST(PollTimer, SeedSynopsisTimerCheckedInALoop) {
  ManualClock clock;
  PollTimer t = tickwheel::timer(10s, {.clock = clock, .fudge = 1s});
  t.start();
  int seconds = 0;
  bool prompt = false;
  while (!t.is_expired() && !prompt) {  // pump until expired or the prompt shows
    clock.advance(1s);
    prompt = ++seconds == 4;
    (void)t.check();
  }
  EXPECT_TRUE(prompt);
  EXPECT_TRUE(t.is_running());

  t.start(5s);  // 5 s to respond, counted from now
  bool response = false;
  seconds = 0;
  while (!response && !t.is_expired()) {  // no response ever comes
    clock.advance(1s);
    ++seconds;
    (void)t.check();
  }
  EXPECT_TRUE(t.is_expired());
  EXPECT_EQ(seconds, 6);  // 5 s + the 1 s fudge, never fewer
}

TEST(PollTimer, SeedSynopsisTimeoutThrows) {
  ManualClock clock;
  PollTimer t = tickwheel::timeout(10s, {.clock = clock, .name = "harness", .fudge = 1s});
  t.start();
  int seconds = 0;
  try {
    while (true) {  // pump until the prompt, which never comes
      clock.advance(1s);
      ++seconds;
      (void)t.check();
    }
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.timer_name(), "harness");
  }
  EXPECT_EQ(seconds, 11);
  EXPECT_TRUE(t.is_expired());
}

// The seed's harness starts reset timers in pump() and checks running ones;
// "setting the timeout value" for the second phase is reset() plus
// set_interval(), and the next pump starts it afresh.
TEST(PollTimer, SeedSynopsisResetAndNewIntervalRestartInPump) {
  ManualClock clock;
  PollTimer t = tickwheel::timeout(10s, {.clock = clock, .fudge = duration::zero()});
  auto pump = [&] {
    if (t.is_reset()) t.start();
    clock.advance(1s);
    (void)t.check();
  };
  for (int i = 0; i < 7; ++i) pump();  // the prompt arrives after 7 s
  EXPECT_EQ(t.check(), 3s);

  t.reset();
  t.set_interval(5s);
  EXPECT_TRUE(t.is_reset());
  pump();  // started at 7 s, ends at 12 s
  EXPECT_EQ(t.start_time(), at(7s));
  EXPECT_EQ(t.end_time(), at(12s));
  for (int i = 0; i < 3; ++i) pump();
  EXPECT_THROW(pump(), TimeoutError);  // at 12 s, 5 s after the restart
  EXPECT_EQ(clock.now(), at(12s));
}

// Without the reset, setting the interval moves the end time relative to the
// original start (the seed's interval() method): 5 s after a start 7 s ago is
// already past.
TEST(PollTimer, SettingTheIntervalAloneDoesNotRestart) {
  ManualClock clock;
  PollTimer t = tickwheel::timer(10s, exact(clock));
  t.start();
  clock.advance(7s);
  t.set_interval(5s);
  EXPECT_EQ(t.check(), 0s);
  EXPECT_TRUE(t.is_expired());
}

TEST(PollTimer, AnEmptyExceptionTextThrowsNothing) {
  ManualClock clock;
  // An explicit empty text is kept by timeout() and means "no exception",
  // for timer() and timeout() alike, as in the seed.
  for (PollTimer t : {tickwheel::timer(1s, {.clock = clock, .exception = ""}),
                      tickwheel::timeout(1s, {.clock = clock, .exception = ""})}) {
    EXPECT_EQ(t.exception(), "");
    EXPECT_FALSE(t.is_timeout());
    t.start();
    clock.advance(2s);
    EXPECT_EQ(t.check(), 0s);
    EXPECT_TRUE(t.is_expired());
    t.reset();
    EXPECT_NO_THROW(t.expire());
  }
}

TEST(PollTimer, SetStateCarriesAStateOverWithoutThrowing) {
  ManualClock clock;
  PollTimer t = tickwheel::timeout(5s, exact(clock, "carried"));
  EXPECT_THROW(t.set_state(TimerState::running), tickwheel::error);  // no end time yet
  EXPECT_TRUE(t.is_reset());
  t.start();
  const TimerState saved = t.state();
  EXPECT_NO_THROW(t.set_state(TimerState::expired));  // unlike expire(): no exception
  EXPECT_TRUE(t.is_expired());
  t.set_state(saved);
  EXPECT_TRUE(t.is_running());
  EXPECT_EQ(t.check(), 5s);
  t.set_state(TimerState::reset);
  EXPECT_EQ(t.check(), std::nullopt);
}

TEST(PollTimer, SetStartTimeMovesTheBaseOfTheNextEndTime) {
  ManualClock clock;
  PollTimer t(10s, exact(clock));
  t.start();
  t.set_start_time(at(3s));
  EXPECT_EQ(t.start_time(), at(3s));
  EXPECT_EQ(t.end_time(), at(10s));  // unchanged until the interval is set
  t.set_interval(10s);
  EXPECT_EQ(t.end_time(), at(13s));
}
