// Real-clock checks of the one-shot timer types, with generous upper bounds
// (label `slow`): a loaded machine may be late, never early.
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "tickwheel/delay_queue.hpp"
#include "tickwheel/throttle.hpp"
#include "tickwheel/timeout.hpp"

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

TEST(OneShotTimersSlow, TimeoutOnTheRealClockIsNeverEarly) {
  tickwheel::DriverThread driver;
  std::promise<int> p;
  auto f = p.get_future();
  const auto start = Steady::now();
  EXPECT_EQ(tickwheel::timeout(driver.handle(), 20ms, f).error(), tickwheel::errc::timed_out);
  const auto took = Steady::now() - start;
  EXPECT_GE(took, 20ms);
  EXPECT_LT(took, 2s);
}

TEST(OneShotTimersSlow, ThrottleSpacesItemsOnTheRealClock) {
  tickwheel::Driver driver;  // this thread: acquire() turns it
  tickwheel::Throttle t(driver.handle(), 20ms);
  const auto start = Steady::now();
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(t.acquire());
  const auto took = Steady::now() - start;
  EXPECT_GE(took, 40ms);
  EXPECT_LT(took, 2s);
}

TEST(OneShotTimersSlow, DelayQueuePopsOnTheRealClock) {
  tickwheel::DriverThread driver;
  tickwheel::DelayQueue<int> q(driver.handle());
  const auto start = Steady::now();
  q.insert(2, 30ms);
  q.insert(1, 20ms);
  auto e = q.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, 1);
  EXPECT_GE(Steady::now() - start, 20ms);
  e = q.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, 2);
  const auto took = Steady::now() - start;
  EXPECT_GE(took, 30ms);
  EXPECT_LT(took, 2s);
}
