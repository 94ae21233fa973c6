#include "tickwheel/idle_timer.hpp"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"
#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Driver;
using tickwheel::DriverOptions;
using tickwheel::IdleTimer;
using tickwheel::ManualClock;
using tickwheel::time_point;
using tickwheel::TimeValue;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

std::error_code code(tickwheel::errc e) { return make_error_code(e); }

// A driver on virtual time and an idle timer on it that records when it fired.
struct Fixture {
  ManualClock clock;
  Driver driver{clock};
  std::vector<time_point> fired;
  IdleTimer idle;

  explicit Fixture(TimeValue d)
      : idle(driver.handle(), d, [this] { fired.push_back(clock.now()); }) {}

  void call_at(tickwheel::duration t) {
    driver.run_until(at(t));
    ASSERT_EQ(clock.now(), at(t));
    ASSERT_EQ(idle.record_call(), std::error_code{});
  }
};

}  // namespace

TEST(IdleTimer, NeverFiresBeforeTheFirstCall) {
  Fixture f(100ms);
  f.driver.run_until(at(1h));
  EXPECT_TRUE(f.fired.empty());
  EXPECT_EQ(f.idle.deadline(), std::nullopt);
}

TEST(IdleTimer, FiresOnceExactlyOneDurationAfterOneCall) {
  Fixture f(100ms);
  f.call_at(1s);
  EXPECT_EQ(f.idle.deadline(), at(1s + 100ms));
  f.driver.run_until(at(1s + 100ms - 1ns));
  EXPECT_TRUE(f.fired.empty());
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(1s + 100ms)});
  EXPECT_EQ(f.idle.fire_count(), 1u);
  EXPECT_EQ(f.idle.deadline(), std::nullopt);
}

TEST(IdleTimer, EachCallPushesTheDeadlineToOneDurationAfterIt) {
  Fixture f(100ms);
  f.call_at(0ms);
  f.call_at(50ms);
  f.call_at(99ms);
  f.call_at(150ms);
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(250ms)});
}

TEST(IdleTimer, APushedTimerCostsTheDriverOneWakeUpPerIdlePeriodNotOnePerCall) {
  Fixture f(1s);
  f.call_at(0ms);
  const auto turns_before = f.driver.stats().turns;
  // 1000 calls 1 ms apart, made without turning the driver in between.
  for (int i = 1; i <= 1000; ++i) {
    f.clock.set(at(i * 1ms));
    ASSERT_EQ(f.idle.record_call(), std::error_code{});
  }
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(2s)});
  // The old deadline (1 s) wakes it once, the new one (2 s) fires, then idle.
  EXPECT_LE(f.driver.stats().turns - turns_before, 4u);
}

TEST(IdleTimer, FiresOncePerIdlePeriodAcrossTenCycles) {
  Fixture f(100ms);
  for (int cycle = 0; cycle < 10; ++cycle) {
    const auto start = cycle * 1s;
    f.call_at(start);
    f.driver.run_until(at(start + 500ms));
    ASSERT_EQ(f.fired.size(), static_cast<std::size_t>(cycle + 1));
    EXPECT_EQ(f.fired.back(), at(start + 100ms));
  }
  EXPECT_EQ(f.idle.fire_count(), 10u);
}

TEST(IdleTimer, ABurstOf400CallsFiresExactlyOnce) {
  Fixture f(1s);
  for (int i = 0; i < 400; ++i) ASSERT_EQ(f.idle.record_call(), std::error_code{});
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(1s)});
}

TEST(IdleTimer, ALongDurationNeverFiresWithinTheWindow) {
  Fixture f(999s);
  f.call_at(0s);
  f.driver.run_until(at(998s));
  EXPECT_TRUE(f.fired.empty());
  f.driver.run_until(at(999s));
  EXPECT_EQ(f.fired.size(), 1u);
}

TEST(IdleTimer, InfiniteDurationNeverFires) {
  Fixture f(TimeValue::infinite());
  EXPECT_EQ(f.idle.record_call(), std::error_code{});
  EXPECT_EQ(f.idle.deadline(), std::nullopt);
  f.driver.run_until(at(std::chrono::hours(24 * 365 * 100)));
  EXPECT_TRUE(f.fired.empty());
}

TEST(IdleTimer, InfiniteStandaloneTimerNeverStartsItsThread) {
  int fired = 0;
  IdleTimer idle(tickwheel::parse_duration("inf"), [&] { ++fired; });
  EXPECT_EQ(idle.record_call(), std::error_code{});
  EXPECT_FALSE(idle.handle().alive());
  EXPECT_EQ(fired, 0);
}

TEST(IdleTimer, AStandaloneTimerQuitBeforeItsFirstCallNeverStartsItsThread) {
  int fired = 0;
  IdleTimer idle(1ms, [&] { ++fired; });
  idle.quit();
  EXPECT_EQ(idle.record_call(), code(tickwheel::errc::cancelled));
  EXPECT_EQ(idle.handle(), tickwheel::Handle{});
  EXPECT_EQ(fired, 0);
}

TEST(IdleTimer, ZeroDurationFiresAtTheNextTurn) {
  Fixture f(0s);
  f.call_at(5s);
  f.driver.turn(0s);
  EXPECT_EQ(f.fired, std::vector<time_point>{at(5s)});
}

TEST(IdleTimer, NegativeDurationIsRejected) {
  ManualClock clock;
  Driver driver(clock);
  try {
    IdleTimer idle(driver.handle(), -1ms, [] {});
    FAIL() << "a negative idle duration was accepted";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), code(tickwheel::errc::invalid_argument));
  }
  EXPECT_THROW(IdleTimer(-1s, [] {}), tickwheel::error);
}

TEST(IdleTimer, ADeadDriverIsRejectedAtConstructionAndReportedByRecordCall) {
  EXPECT_THROW(IdleTimer(tickwheel::Handle{}, 1s, [] {}), tickwheel::error);
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  int fired = 0;
  IdleTimer idle(driver->handle(), 1s, [&] { ++fired; });
  driver.reset();
  EXPECT_EQ(idle.record_call(), code(tickwheel::errc::shutdown));
  EXPECT_EQ(fired, 0);
}

TEST(IdleTimer, ArmedWhenItsDriverGoesAwayItDoesNotFire) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  int fired = 0;
  IdleTimer idle(driver->handle(), 1s, [&] { ++fired; });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  driver.reset();
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(idle.record_call(), code(tickwheel::errc::shutdown));
}

TEST(IdleTimer, QuitBeforeTheDeadlineMeansNoCallEver) {
  Fixture f(100ms);
  f.call_at(0ms);
  f.idle.quit();
  EXPECT_TRUE(f.idle.quitted());
  EXPECT_EQ(f.idle.record_call(), code(tickwheel::errc::cancelled));
  f.driver.run_until(at(1h));
  EXPECT_TRUE(f.fired.empty());
  EXPECT_EQ(f.driver.outstanding(), 0u);
  f.idle.quit();  // idempotent
}

TEST(IdleTimer, QuitFromTheCallbackStopsItForGood) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  IdleTimer* self = nullptr;
  IdleTimer idle(driver.handle(), 10ms, [&] {
    ++fired;
    self->quit();  // must not wait for itself
  });
  self = &idle;
  ASSERT_EQ(idle.record_call(), std::error_code{});
  driver.run_until(at(1s));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(idle.record_call(), code(tickwheel::errc::cancelled));
  driver.run_until(at(2s));
  EXPECT_EQ(fired, 1);
}

TEST(IdleTimer, RecordCallFromTheCallbackArmsTheNextPeriod) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<time_point> fired;
  IdleTimer* self = nullptr;
  IdleTimer idle(driver.handle(), 10ms, [&] {
    fired.push_back(clock.now());
    if (fired.size() < 3) {
      EXPECT_EQ(self->record_call(), std::error_code{});
    }
  });
  self = &idle;
  ASSERT_EQ(idle.record_call(), std::error_code{});
  driver.run_until(at(1s));
  EXPECT_EQ(fired, (std::vector<time_point>{at(10ms), at(20ms), at(30ms)}));
}

TEST(IdleTimer, ACallbackThatThrowsPropagatesAndTheTimerStaysUsable) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  IdleTimer idle(driver.handle(), 10ms, [&] {
    if (++fired == 1) throw std::runtime_error("first");
  });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  EXPECT_THROW(driver.run_until(at(1s)), std::runtime_error);
  ASSERT_EQ(idle.record_call(), std::error_code{});
  driver.run_until(at(2s));
  EXPECT_EQ(fired, 2);
}

TEST(IdleTimer, AtCapacityIsReportedAndTheNextCallRetries) {
  ManualClock clock;
  DriverOptions options;
  options.max_timers = 1;
  Driver driver(clock, options);
  int fired = 0;
  IdleTimer idle(driver.handle(), 10ms, [&] { ++fired; });
  auto other = tickwheel::Delay::after(driver.handle(), 1h);
  EXPECT_EQ(idle.record_call(), code(tickwheel::errc::at_capacity));
  EXPECT_TRUE(other.cancel());
  EXPECT_EQ(idle.record_call(), std::error_code{});
  driver.run_until(at(1s));
  EXPECT_EQ(fired, 1);
}

TEST(IdleTimer, MovedTimersKeepTheirStateAndTheSourceIsInert) {
  Fixture f(100ms);
  f.call_at(0ms);
  IdleTimer moved(std::move(f.idle));
  EXPECT_EQ(moved.deadline(), at(100ms));
  EXPECT_EQ(f.idle.record_call(),
            code(tickwheel::errc::shutdown));  // NOLINT(bugprone-use-after-move)
  f.driver.run_until(at(1s));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(100ms)});

  int other_fired = 0;
  IdleTimer target(f.driver.handle(), 1ms, [&] { ++other_fired; });
  ASSERT_EQ(target.record_call(), std::error_code{});
  target = std::move(moved);  // quits what target held
  f.driver.run_until(at(2s));
  EXPECT_EQ(other_fired, 0);
  ASSERT_EQ(target.record_call(), std::error_code{});
  f.driver.run_until(at(3s));
  EXPECT_EQ(f.fired.size(), 2u);
}

TEST(IdleTimer, DestroyingAnArmedTimerCancelsIt) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  {
    IdleTimer idle(driver.handle(), 10ms, [&] { ++fired; });
    ASSERT_EQ(idle.record_call(), std::error_code{});
  }
  driver.run_until(at(1s));
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(IdleTimer, DurationFromTheTimeValueSyntax) {
  Fixture f(tickwheel::parse_duration("0:1.5"));
  EXPECT_EQ(f.idle.duration(), TimeValue(1500ms));
  f.call_at(0s);
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(1500ms)});
}

// Property: for random call times, the timer fires exactly at each gap
// longer than the duration (last call + duration), and nowhere else.
TEST(IdleTimer, FiresExactlyAtEveryIdleGapOfARandomCallSequence) {
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  const auto d = 20ms;
  Fixture f(d);
  std::vector<time_point> expected;
  tickwheel::duration t{0};
  std::optional<tickwheel::duration> last;
  for (int i = 0; i < 5000; ++i) {
    const auto gap = std::chrono::milliseconds(static_cast<int>(next() % 40));
    t += gap;
    // A gap of exactly d: the deadline is due as the call comes, and fires first.
    if (last && t - *last >= d) expected.push_back(at(*last + d));
    f.driver.run_until(at(t));
    ASSERT_EQ(f.fired.size(), expected.size()) << "at " << t.count() << " ns";
    ASSERT_EQ(f.idle.record_call(), std::error_code{});
    last = t;
  }
  f.driver.run_until(at(t + 1h));
  expected.push_back(at(*last + d));
  EXPECT_EQ(f.fired, expected);
}

TEST(IdleTimer, ADeadlineBetweenWheelTicksIsRoundedUpToTheTickEndNeverDown) {
  Fixture f(100ms);  // the driver's wheel ticks every 1 ms from time 0
  f.call_at(1s + 300us);
  EXPECT_EQ(f.idle.deadline(), at(1s + 101ms));
  f.call_at(1s + 900us);  // same tick: nothing moves
  EXPECT_EQ(f.idle.deadline(), at(1s + 101ms));
  f.call_at(1s + 1ms);  // a tick end itself stays put
  EXPECT_EQ(f.idle.deadline(), at(1s + 101ms));
  f.call_at(1s + 1ms + 1ns);
  EXPECT_EQ(f.idle.deadline(), at(1s + 102ms));
  f.driver.run_until(at(1h));
  EXPECT_EQ(f.fired, std::vector<time_point>{at(1s + 102ms)});
}

TEST(IdleTimer, TicksCountFromTheDriversStartNotFromTheClocksEpoch) {
  ManualClock clock(at(300us));
  Driver driver(clock);  // ticks end at 1.3 ms, 2.3 ms, ...
  std::vector<time_point> fired;
  IdleTimer idle(driver.handle(), 10ms, [&] { fired.push_back(clock.now()); });
  clock.set(at(1ms));
  ASSERT_EQ(idle.record_call(), std::error_code{});
  EXPECT_EQ(idle.deadline(), at(11ms + 300us));
  driver.run_until(at(1s));
  EXPECT_EQ(fired, std::vector<time_point>{at(11ms + 300us)});
}
