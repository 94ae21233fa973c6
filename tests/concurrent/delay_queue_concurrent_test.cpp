#include "tickwheel/delay_queue.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tickwheel::DelayQueue;
using tickwheel::DriverThread;
using tickwheel::errc;

// The owner waits in pop() on its own thread while the driver turns on
// another: the queue's one Delay wakes it, in deadline order, never early.
TEST(DelayQueueConcurrent, PopOnAnotherThreadThanTheDriver) {
  DriverThread driver;
  DelayQueue<int> q(driver.handle());
  const auto start = q.now();
  for (int i = 9; i >= 0; --i) q.insert_at(i, start + std::chrono::milliseconds(i));
  std::vector<int> got;
  while (!q.empty()) {
    auto e = q.pop();
    ASSERT_TRUE(e) << e.error().message();
    EXPECT_GE(q.now(), e->deadline);
    got.push_back(e->value);
  }
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(q.pop().error(), errc::empty);
}

TEST(DelayQueueConcurrent, ADriverStoppedWhilePopWaitsReportsShutdown) {
  DriverThread driver;
  DelayQueue<int> q(driver.handle());
  q.insert(1, 1h);
  std::thread stopper([&] {
    std::this_thread::sleep_for(5ms);  // let pop() start waiting (either order is correct)
    driver.stop();
  });
  EXPECT_EQ(q.pop().error(), errc::shutdown);
  stopper.join();
  EXPECT_EQ(q.size(), 1u);
}
