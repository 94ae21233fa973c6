#include "tickwheel/timeout.hpp"

#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Driver;
using tickwheel::DriverThread;
using tickwheel::errc;
using tickwheel::ManualClock;
using tickwheel::TimeoutStream;

TEST(TimeoutConcurrent, AWaiterOnAnotherThreadGetsShutdownWhenTheDriverGoes) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  std::promise<int> p;
  auto f = p.get_future();
  std::error_code seen;
  std::thread waiter([&, h = driver->handle()] { seen = tickwheel::timeout(h, 1h, f).error(); });
  driver.reset();  // before or after the waiter armed: either way, shutdown
  waiter.join();
  EXPECT_EQ(seen, errc::shutdown);
}

TEST(TimeoutConcurrent, AValueFromAnotherThreadEndsTheWaitOnTheRealClock) {
  DriverThread driver;
  std::promise<int> p;
  auto f = p.get_future();
  std::thread producer([&] { p.set_value(5); });
  auto r = tickwheel::timeout(driver.handle(), 1h, f);
  producer.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5);
}

TEST(TimeoutConcurrent, StreamItemsFromAnotherThreadWakeTheConsumer) {
  DriverThread driver;
  TimeoutStream<int> s(driver.handle(), 1h);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) s.push(i);
    s.close();
  });
  std::vector<int> got;
  for (;;) {
    auto r = s.next();
    if (!r) {
      EXPECT_EQ(r.error(), errc::closed);
      break;
    }
    got.push_back(*r);
  }
  producer.join();
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i);
}

// The consumer turns the driver itself (it is on the driver's thread): a
// push from another thread must unpark it rather than wait out the hour.
TEST(TimeoutConcurrent, APushWakesAConsumerThatIsTurningTheDriver) {
  Driver driver;  // real clock, this thread
  TimeoutStream<int> s(driver.handle(), 1h);
  std::thread producer([&] {
    std::this_thread::sleep_for(2ms);
    s.push(42);
  });
  auto r = s.next();
  producer.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
}

TEST(TimeoutConcurrent, ACompletionFromAnotherThreadWakesAWaiterTurningTheDriver) {
  Driver driver;  // real clock, this thread
  tickwheel::TimeoutPromise<int> p(driver.handle(), 1h);
  std::thread op([&] {
    std::this_thread::sleep_for(2ms);
    p.set_value(8);
  });
  auto r = p.wait();
  op.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 8);
}
