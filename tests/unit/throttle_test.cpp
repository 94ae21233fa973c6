#include "tickwheel/throttle.hpp"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Driver;
using tickwheel::errc;
using tickwheel::ManualClock;
using tickwheel::Throttle;
using tickwheel::time_point;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

}  // namespace

TEST(Throttle, FirstItemPassesAtOnceThenOnePerPeriod) {
  ManualClock clock;
  Driver driver(clock);
  Throttle t(driver.handle(), 250ms);
  std::vector<time_point> passed;
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(t.pass([&] { passed.push_back(clock.now()); }));
  }
  EXPECT_EQ(passed, (std::vector<time_point>{at(0ms), at(250ms), at(500ms), at(750ms), at(1s)}));
}

TEST(Throttle, AnItemAfterAQuietSpellIsNotHeldBack) {
  ManualClock clock;
  Driver driver(clock);
  Throttle t(driver.handle(), 1s);
  ASSERT_FALSE(t.acquire());
  clock.advance(5s);
  ASSERT_FALSE(t.acquire());
  EXPECT_EQ(clock.now(), at(5s));
  EXPECT_EQ(t.ready_at(), at(6s));
  clock.advance(300ms);
  ASSERT_FALSE(t.acquire());
  EXPECT_EQ(clock.now(), at(6s));
}

TEST(Throttle, TryAcquireNeverBlocks) {
  ManualClock clock;
  Driver driver(clock);
  Throttle t(driver.handle(), 1s);
  EXPECT_TRUE(t.try_acquire());
  EXPECT_FALSE(t.try_acquire());
  clock.advance(999ms);
  EXPECT_FALSE(t.try_acquire());
  clock.advance(1ms);
  EXPECT_TRUE(t.try_acquire());
  EXPECT_EQ(t.ready_at(), at(2s));
}

TEST(Throttle, AZeroPeriodLetsEveryItemThroughAtOnce) {
  ManualClock clock;
  Driver driver(clock);
  Throttle t(driver.handle(), 0s);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(t.try_acquire());
    ASSERT_FALSE(t.acquire());
  }
  EXPECT_EQ(clock.now(), at(0s));  // nothing waited
}

TEST(Throttle, BadPeriodAndAGoneDriver) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  EXPECT_THROW(Throttle(driver->handle(), -1ms), tickwheel::error);
  EXPECT_THROW(Throttle(driver->handle(), std::chrono::duration<double>(std::nan(""))),
               tickwheel::error);
  Throttle t(driver->handle(), 1s);
  driver.reset();
  EXPECT_FALSE(t.acquire());  // passes at once: no driver needed
  EXPECT_EQ(t.acquire(), errc::shutdown);
  EXPECT_EQ(clock.now(), at(0s));
}
