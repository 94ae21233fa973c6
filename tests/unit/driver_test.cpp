#include "tickwheel/driver.hpp"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"
#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Delay;
using tickwheel::Driver;
using tickwheel::ManualClock;
using tickwheel::time_point;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

// A park that records what it was asked and sleeps virtually, so the tests
// can see every wake-up the driver asks for.
class RecordingPark final : public tickwheel::Park {
 public:
  explicit RecordingPark(ManualClock& clock) : clock_(clock) {}
  void park(std::optional<time_point> deadline) override {
    asked.push_back(deadline);
    if (unparked_) {
      unparked_ = false;
      return;
    }
    if (deadline && *deadline > clock_.now()) (void)clock_.set(*deadline);
  }
  void unpark() noexcept override { unparked_ = true; }
  std::uint64_t wakeups() const noexcept override { return asked.size(); }

  std::vector<std::optional<time_point>> asked;

 private:
  ManualClock& clock_;
  bool unparked_ = false;
};

}  // namespace

TEST(Driver, TurnJumpsToTheNextDeadlineOnVirtualTime) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<int> order;
  Delay a(driver.handle(), at(3h), [&] { order.push_back(3); });
  Delay b(driver.handle(), at(1s), [&] { order.push_back(1); });
  Delay c(driver.handle(), at(90min), [&] { order.push_back(2); });
  EXPECT_EQ(driver.turn().fired, 1u);
  EXPECT_EQ(clock.now(), at(1s));
  driver.run_until_idle();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(clock.now(), at(3h));
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Driver, MaxWaitBoundsTheParkAndNegativeCountsAsZero) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(1h));
  driver.turn(10min);
  EXPECT_EQ(clock.now(), at(10min));
  EXPECT_FALSE(d.is_elapsed());
  driver.turn(-5s);
  EXPECT_EQ(clock.now(), at(10min));
  driver.turn(std::chrono::hours(1000));
  EXPECT_TRUE(d.is_elapsed());
  EXPECT_EQ(clock.now(), at(1h));
}

TEST(Driver, ParksWithoutATimeoutWhenNothingIsDue) {
  ManualClock clock;
  auto park = std::make_unique<RecordingPark>(clock);
  RecordingPark* p = park.get();
  Driver driver(tickwheel::ClockRef(clock), std::move(park));
  driver.handle().core()->park->unpark();  // let the blocking park return at once
  driver.turn();
  ASSERT_EQ(p->asked.size(), 1u);
  EXPECT_FALSE(p->asked[0].has_value());  // no timer: no deadline, no polling
}

TEST(Driver, ACancelledTimerNeverSetsTheParkDeadline) {
  ManualClock clock;
  auto park = std::make_unique<RecordingPark>(clock);
  RecordingPark* p = park.get();
  Driver driver(tickwheel::ClockRef(clock), std::move(park));
  Delay soon(driver.handle(), at(5s));
  Delay later(driver.handle(), at(1h));
  EXPECT_TRUE(soon.cancel());
  driver.turn();
  ASSERT_EQ(p->asked.size(), 1u);
  ASSERT_TRUE(p->asked[0].has_value());
  EXPECT_EQ(*p->asked[0], at(1h));
  EXPECT_TRUE(later.is_elapsed());
}

TEST(Driver, PushedLaterTimerCostsAtMostOneWakeUpAtItsOldDeadline) {
  ManualClock clock;
  auto park = std::make_unique<RecordingPark>(clock);
  RecordingPark* p = park.get();
  Driver driver(tickwheel::ClockRef(clock), std::move(park));
  Delay d(driver.handle(), at(100ms));
  for (int i = 1; i <= 50; ++i) EXPECT_FALSE(d.reset(at(100ms + i * 10ms)));
  driver.turn();  // wakes at the old deadline, re-files
  EXPECT_FALSE(d.is_elapsed());
  driver.turn();
  EXPECT_TRUE(d.is_elapsed());
  ASSERT_EQ(p->asked.size(), 2u);
  EXPECT_EQ(*p->asked[0], at(100ms));
  EXPECT_EQ(*p->asked[1], at(600ms));
}

TEST(Driver, DestroyingTheDriverCompletesEveryTimerWithShutdown) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  std::vector<std::error_code> seen;
  Delay a(driver->handle(), at(1s), [&](std::error_code ec) { seen.push_back(ec); });
  Delay b(driver->handle(), at(2s), [&](std::error_code ec) { seen.push_back(ec); });
  auto h = driver->handle();
  driver.reset();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], tickwheel::errc::shutdown);
  EXPECT_EQ(seen[1], tickwheel::errc::shutdown);
  EXPECT_EQ(a.result(), tickwheel::make_error_code(tickwheel::errc::shutdown));
  EXPECT_FALSE(h.alive());
  EXPECT_EQ(a.reset(at(5s)), tickwheel::errc::shutdown);
  EXPECT_FALSE(a.cancel());
  try {
    Delay c(h, at(3s));
    FAIL() << "armed on a dead driver";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::shutdown);
  }
}

TEST(Driver, CapacityLimitsOutstandingTimers) {
  ManualClock clock;
  Driver driver(clock, {.max_timers = 2});
  Delay a(driver.handle(), at(1s));
  Delay b(driver.handle(), at(1s));
  try {
    Delay c(driver.handle(), at(1s));
    FAIL() << "third timer accepted";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::at_capacity);
  }
  EXPECT_TRUE(a.cancel());
  Delay c(driver.handle(), at(1s));  // a slot is free again
  EXPECT_EQ(driver.outstanding(), 2u);
  driver.run_until_idle();
  EXPECT_EQ(driver.outstanding(), 0u);
  EXPECT_FALSE(a.reset(at(2s)));  // re-arming takes a slot again
  EXPECT_EQ(driver.outstanding(), 1u);
}

TEST(Driver, CurrentHandleIsScopedAndAbsentOutside) {
  EXPECT_FALSE(tickwheel::Handle::try_current().alive());
  try {
    (void)tickwheel::Handle::current();
    FAIL() << "no driver, yet a handle";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::no_driver);
  }
  ManualClock clock;
  Driver outer(clock);
  {
    const auto scope = outer.enter();
    EXPECT_EQ(tickwheel::Handle::current(), outer.handle());
    Driver inner(clock);
    {
      const auto nested = inner.enter();
      EXPECT_EQ(tickwheel::Handle::current(), inner.handle());
    }
    EXPECT_EQ(tickwheel::Handle::current(), outer.handle());
  }
  EXPECT_FALSE(tickwheel::Handle::try_current().alive());
}

TEST(Driver, TurnFromACallbackIsRejected) {
  ManualClock clock;
  Driver driver(clock);
  bool rejected = false;
  Delay d(driver.handle(), at(1s), [&] {
    try {
      driver.turn();
    } catch (const tickwheel::error& e) {
      rejected = e.code() == tickwheel::errc::invalid_argument;
    }
  });
  driver.turn();
  EXPECT_TRUE(rejected);
}

TEST(Driver, ThrowingCallbackLeavesTheDriverConsistent) {
  ManualClock clock;
  Driver driver(clock);
  Delay bad(driver.handle(), at(1s), [] { throw std::runtime_error("boom"); });
  int fired = 0;
  Delay good(driver.handle(), at(1s), [&] { ++fired; });
  EXPECT_THROW(driver.turn(), std::runtime_error);
  EXPECT_TRUE(bad.is_elapsed());
  EXPECT_EQ(bad.result(), std::error_code{});
  driver.turn();
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Driver, StopEndsRunFromACallback) {
  ManualClock clock;
  Driver driver(clock);
  int ticks = 0;
  Delay d(driver.handle(), at(1s), [&](std::error_code) {
    if (++ticks == 3) {
      driver.stop();
    } else {
      (void)d.reset(driver.now() + 1s);
    }
  });
  driver.run();
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(clock.now(), at(3s));
}

TEST(Driver, RunUntilStopsAtTheDeadline) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(10s));
  driver.run_until(at(4s));
  EXPECT_EQ(clock.now(), at(4s));
  EXPECT_FALSE(d.is_elapsed());
  driver.run_until(at(20s));
  EXPECT_TRUE(d.is_elapsed());
}

TEST(Driver, HoursOfTimersRunInMicroseconds) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<Delay> delays;
  int fired = 0;
  for (int i = 1; i <= 1000; ++i) {
    delays.emplace_back(driver.handle(), at(std::chrono::minutes(i)), [&] { ++fired; });
  }
  driver.run_until_idle();
  EXPECT_EQ(fired, 1000);
  EXPECT_EQ(clock.now(), at(1000min));
}
