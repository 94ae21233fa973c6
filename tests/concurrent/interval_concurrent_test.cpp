// Concurrency tests of Interval: a consumer blocked in wait() on another
// thread than the driver's, stop() and reset() (also with a first tick at
// once) racing with ticks, and the driver going away under a blocked waiter.
// Also run under ThreadSanitizer. They use the real clock with 1 ms
// intervals: a few dozen ms each.
#include "tickwheel/interval.hpp"

#include <atomic>
#include <latch>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"

using namespace std::chrono_literals;
using tickwheel::DriverThread;
using tickwheel::errc;
using tickwheel::Interval;
using tickwheel::IntervalTick;

TEST(IntervalConcurrency, ConsumerOnAnotherThreadGetsEveryTickInOrderNeverEarly) {
  DriverThread driver;
  Interval every(driver.handle(), 1ms, tickwheel::TriggerAllMissed{});
  IntervalTick t;
  tickwheel::time_point last{};
  for (std::uint64_t i = 1; i <= 30; ++i) {
    ASSERT_FALSE(every.wait(t));
    EXPECT_EQ(t.number, i);
    EXPECT_GE(t.drift, 0ns);
    EXPECT_GT(t.scheduled, last);
    if (i > 1) {
      EXPECT_EQ(t.scheduled - last, 1ms);  // no tick lost
    }
    last = t.scheduled;
  }
}

TEST(IntervalConcurrency, StopWakesABlockedWaiter) {
  DriverThread driver;
  Interval every(driver.handle(), 1h);
  std::latch waiting(1);
  std::error_code got;
  std::thread consumer([&] {
    waiting.count_down();
    IntervalTick t;
    got = every.wait(t);
  });
  waiting.wait();
  std::this_thread::sleep_for(5ms);  // let it block (a stop before that is fine too)
  every.stop();
  consumer.join();
  EXPECT_EQ(got, errc::receiver_stopped);
}

TEST(IntervalConcurrency, DriverShutdownWakesABlockedWaiter) {
  auto driver = std::make_unique<DriverThread>();
  Interval every(driver->handle(), 1h);
  std::error_code got;
  std::thread consumer([&] {
    IntervalTick t;
    got = every.wait(t);
  });
  std::this_thread::sleep_for(5ms);
  driver.reset();
  consumer.join();
  EXPECT_EQ(got, errc::shutdown);
}

TEST(IntervalConcurrency, ResetWithFirstTickAtStartWakesABlockedWaiter) {
  DriverThread driver;
  Interval every(driver.handle(), 1h);
  std::latch waiting(1);
  std::error_code got;
  IntervalTick t;
  std::thread consumer([&] {
    waiting.count_down();
    got = every.wait(t);
  });
  waiting.wait();
  std::this_thread::sleep_for(5ms);  // let it block (a reset before that is fine too)
  const tickwheel::time_point before = driver.handle().now();
  ASSERT_FALSE(every.reset({.first_tick_at_start = true}));
  const tickwheel::time_point after = driver.handle().now();
  consumer.join();
  EXPECT_FALSE(got);
  EXPECT_EQ(t.number, 1u);
  EXPECT_GE(t.scheduled, before);  // the reset instant, not an hour later
  EXPECT_LE(t.scheduled, after);
  EXPECT_GE(t.drift, 0ns);
  EXPECT_EQ(every.next_tick(), t.scheduled + 1h);
}

TEST(IntervalConcurrency, ResetAndStopRaceWithCallbacks) {
  DriverThread driver;
  std::atomic<int> calls{0};
  Interval every(driver.handle(), 1ms, tickwheel::SkipMissedAndResync{}, {},
                 [&](const IntervalTick& t) {
                   EXPECT_GE(t.drift, 0ns);
                   calls.fetch_add(1, std::memory_order_relaxed);
                 });
  for (int i = 0; i < 60; ++i) {
    std::this_thread::sleep_for(1500us);  // room for a tick or two between resets
    if (i % 4 == 0) every.stop();
    if (i % 2 == 0) {
      EXPECT_FALSE(every.reset(1ms + std::chrono::microseconds(i % 7)));
    } else if (i % 3 == 0) {
      EXPECT_FALSE(every.reset({.first_tick_at_start = true}));
    }
  }
  every.stop();
  // A callback already running when stop() returned may still finish; the
  // driver runs callbacks one at a time, so once a timer scheduled now has
  // fired on it, that callback is over (a fixed sleep flakes under TSan).
  tickwheel::Delay flush(driver.handle(), driver.handle().now());
  ASSERT_FALSE(flush.wait());
  const int after_stop = calls.load();
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(calls.load(), after_stop);  // no new tick after stop()
  EXPECT_GT(after_stop, 0);
}
