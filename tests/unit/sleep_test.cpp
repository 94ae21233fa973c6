#include "tickwheel/sleep.hpp"

#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Driver;
using tickwheel::ManualClock;
using tickwheel::time_point;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

template <class F>
std::error_code error_of(F f) {
  try {
    f();
  } catch (const tickwheel::error& e) {
    return e.code();
  }
  return {};
}

}  // namespace

TEST(Sleep, OutsideAnyDriverScopeFailsWithNoDriver) {
  EXPECT_EQ(error_of([] { tickwheel::sleep_for(1ms); }), tickwheel::errc::no_driver);
  EXPECT_EQ(error_of([] { tickwheel::sleep_until(at(1s)); }), tickwheel::errc::no_driver);
  EXPECT_EQ(error_of([] { (void)tickwheel::delay(1s); }), tickwheel::errc::no_driver);
  EXPECT_EQ(error_of([] { (void)tickwheel::delay_until(at(1s)); }), tickwheel::errc::no_driver);
}

TEST(Sleep, SleepForOnTheDriversThreadDrivesItAndOtherTimersFire) {
  ManualClock clock;
  Driver driver(clock);
  const auto scope = driver.enter();
  std::vector<time_point> fired;
  tickwheel::Delay other(driver.handle(), at(2s), [&] { fired.push_back(clock.now()); });
  tickwheel::sleep_for(5s);
  EXPECT_EQ(clock.now(), at(5s));  // not earlier, and on virtual time not later
  EXPECT_EQ(fired, (std::vector<time_point>{at(2s)}));
  tickwheel::sleep_until(at(7s));
  EXPECT_EQ(clock.now(), at(7s));
  tickwheel::sleep_until(at(1s));  // in the past: returns at once
  EXPECT_EQ(clock.now(), at(7s));
}

TEST(Sleep, DelayIsRelativeToTheCurrentDriversClock) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  const auto scope = driver.enter();
  tickwheel::Delay d = tickwheel::delay(250ms);
  EXPECT_EQ(d.deadline(), at(10s + 250ms));
  EXPECT_EQ(tickwheel::delay_until(at(1min)).deadline(), at(1min));
  EXPECT_EQ(d.wait(), std::error_code{});
  EXPECT_EQ(clock.now(), at(10s + 250ms));
}

TEST(Sleep, BadDeadlinesAreTypedErrors) {
  ManualClock clock;
  Driver driver(clock);
  const auto scope = driver.enter();
  EXPECT_EQ(error_of([] { tickwheel::sleep_until(at(-1s)); }), tickwheel::errc::invalid_argument);
  tickwheel::sleep_for(-1s);  // already due: returns at once
  EXPECT_EQ(clock.now(), at(0s));
  EXPECT_EQ(error_of([] { tickwheel::sleep_for(std::chrono::duration<double>(std::nan(""))); }),
            tickwheel::errc::invalid_argument);
}

TEST(Sleep, AnotherThreadEntersTheDriverThroughItsHandle) {
  ManualClock clock;
  Driver driver(clock);
  const tickwheel::Handle h = driver.handle();
  tickwheel::Delay armed;
  std::thread sleeper([&] {
    const auto scope = h.enter();
    EXPECT_EQ(tickwheel::Handle::current(), h);
    armed = tickwheel::delay(3s);
  });
  sleeper.join();
  EXPECT_FALSE(tickwheel::Handle::try_current().alive());
  driver.run_until_idle();
  EXPECT_TRUE(armed.is_elapsed());
  EXPECT_EQ(clock.now(), at(3s));
}
