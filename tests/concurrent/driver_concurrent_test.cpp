// Concurrency tests of the driver and its handles: many threads scheduling,
// resetting and cancelling against one driver thread, the cancel race, and
// shutdown with waiters on other threads. Also run under ThreadSanitizer.
#include "tickwheel/driver.hpp"

#include <atomic>
#include <cstdlib>
#include <latch>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"

using namespace std::chrono_literals;
using tickwheel::Delay;
using tickwheel::DriverThread;
using tickwheel::time_point;

namespace {

std::size_t hammer_timers() {
  if (const char* env = std::getenv("TICKWHEEL_HAMMER_TIMERS")) {
    return static_cast<std::size_t>(std::strtoull(env, nullptr, 10));
  }
  return 1'000'000;
}

struct Record {
  std::atomic<int> fired{0};
  std::atomic<std::int64_t> earliest{0};  // the earliest deadline ever set (ns)
  std::atomic<std::int64_t> early_by{0};  // > 0: fired before that
  bool cancelled = false;
  bool reset = false;
};

}  // namespace

TEST(DriverConcurrency, FourThreadsScheduleResetAndCancelEveryTimerOnceAndNeverEarly) {
  DriverThread driver;
  const auto handle = driver.handle();
  const std::size_t total = hammer_timers();
  constexpr int threads = 4;
  std::vector<Record> records(total);
  std::vector<std::thread> workers;
  std::vector<std::vector<Delay>> delays(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 1);
      auto& mine = delays[static_cast<std::size_t>(t)];
      const std::size_t begin = total * static_cast<std::size_t>(t) / threads;
      const std::size_t end = total * static_cast<std::size_t>(t + 1) / threads;
      mine.reserve(end - begin);
      for (std::size_t i = begin; i < end; ++i) {
        Record& r = records[i];
        const auto deadline = handle.now() + std::chrono::microseconds(rng() % 3000);
        r.earliest.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
        mine.emplace_back(handle, deadline, [&r, &handle] {
          const auto now = handle.now().time_since_epoch().count();
          const auto early = r.earliest.load(std::memory_order_relaxed) - now;
          if (early > 0) r.early_by.store(early, std::memory_order_relaxed);
          r.fired.fetch_add(1, std::memory_order_relaxed);
        });
        Delay& d = mine.back();
        switch (rng() % 8) {
          case 0:
          case 1: {  // earlier or later, from this (non-driver) thread
            const auto again = handle.now() + std::chrono::microseconds(rng() % 3000);
            const auto ns = again.time_since_epoch().count();
            if (ns < r.earliest.load(std::memory_order_relaxed)) {
              r.earliest.store(ns, std::memory_order_relaxed);
            }
            ASSERT_FALSE(d.reset(again));
            r.reset = true;
            break;
          }
          case 2:
          case 3:
            r.cancelled = d.cancel();
            break;
          default:
            break;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  // Every timer that was not cancelled completes; then count.
  for (auto& mine : delays) {
    for (auto& d : mine) {
      if (d.pending()) {
        ASSERT_EQ(d.wait(), std::error_code{});
      }
    }
  }
  std::size_t fired = 0;
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < total; ++i) {
    const Record& r = records[i];
    ASSERT_EQ(r.early_by.load(), 0) << "timer " << i << " fired early";
    if (r.cancelled) {
      ASSERT_EQ(r.fired.load(), 0) << "timer " << i << " fired after a successful cancel";
      ++cancelled;
    } else if (r.reset) {
      // A reset that lost the race with the first fire re-arms the timer
      // (reset after completion re-arms): then it fires once more.
      ASSERT_GE(r.fired.load(), 1) << "timer " << i << " never fired";
      ASSERT_LE(r.fired.load(), 2) << "timer " << i << " fired " << r.fired.load() << " times";
      ++fired;
    } else {
      ASSERT_EQ(r.fired.load(), 1) << "timer " << i << " fired " << r.fired.load() << " times";
      ++fired;
    }
  }
  EXPECT_EQ(fired + cancelled, total);
  EXPECT_GT(cancelled, total / 8);
  RecordProperty("timers", static_cast<int>(total));
}

TEST(DriverConcurrency, CancelDuringTheCallbackReturnsFalseWithoutWaiting) {
  DriverThread driver;
  std::latch entered(1);
  std::latch release(1);
  std::atomic<int> runs{0};
  Delay d(driver.handle(), driver.handle().now(), [&] {
    runs.fetch_add(1);
    entered.count_down();
    release.wait();
  });
  entered.wait();
  EXPECT_FALSE(d.cancel());  // too late: the callback is running; must not block
  release.count_down();
  EXPECT_EQ(d.wait(), std::error_code{});
  EXPECT_EQ(runs.load(), 1);
}

TEST(DriverConcurrency, AnEarlierTimerFromAnotherThreadWakesTheParkedDriver) {
  DriverThread driver;
  const auto h = driver.handle();
  Delay far(h, h.now() + 1h);
  std::this_thread::sleep_for(20ms);  // let the driver park until the far deadline
  const auto start = std::chrono::steady_clock::now();
  Delay soon(h, h.now() + 5ms);
  EXPECT_EQ(soon.wait(), std::error_code{});
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 5ms);
  EXPECT_LT(waited, 2s);  // generous: a missed wake-up would wait an hour
}

TEST(DriverConcurrency, ShutdownCompletesEveryTimerAndWakesEveryWaiter) {
  constexpr std::size_t timers = 100'000;
  constexpr int waiters = 4;
  auto driver = std::make_unique<DriverThread>();
  const auto h = driver->handle();
  std::atomic<std::size_t> shutdown_callbacks{0};
  std::vector<Delay> delays;
  delays.reserve(timers);
  for (std::size_t i = 0; i < timers; ++i) {
    delays.emplace_back(h, h.now() + 1h + std::chrono::milliseconds(i % 1000),
                        [&](std::error_code ec) {
                          if (ec == tickwheel::errc::shutdown) shutdown_callbacks.fetch_add(1);
                        });
  }
  std::atomic<std::size_t> woke_with_shutdown{0};
  std::latch waiting(waiters);
  std::vector<std::thread> threads;
  std::vector<std::future<void>> futures;
  for (std::size_t i = 0; i < 1000; ++i) futures.push_back(delays[i].get_future());
  for (int t = 0; t < waiters; ++t) {
    threads.emplace_back([&, t] {
      waiting.count_down();
      for (std::size_t i = static_cast<std::size_t>(t); i < timers; i += 997 * waiters) {
        if (delays[i].wait() == tickwheel::errc::shutdown) woke_with_shutdown.fetch_add(1);
      }
    });
  }
  waiting.wait();
  std::this_thread::sleep_for(20ms);
  driver.reset();  // stops the thread and destroys the driver
  for (auto& t : threads) t.join();
  EXPECT_EQ(shutdown_callbacks.load(), timers);
  std::size_t expected_woken = 0;
  for (int t = 0; t < waiters; ++t) {
    for (std::size_t i = static_cast<std::size_t>(t); i < timers; i += 997 * waiters) {
      ++expected_woken;
    }
  }
  EXPECT_EQ(woke_with_shutdown.load(), expected_woken);
  for (auto& f : futures) EXPECT_THROW(f.get(), tickwheel::error);
  for (auto& d : delays)
    EXPECT_EQ(d.result(), tickwheel::make_error_code(tickwheel::errc::shutdown));
  EXPECT_FALSE(h.alive());
}

TEST(DriverConcurrency, HandlesMayOutliveTheDriverOnOtherThreads) {
  auto driver = std::make_unique<DriverThread>();
  const auto h = driver->handle();
  std::atomic<bool> go{true};
  std::atomic<std::size_t> refused{0};
  std::thread user([&] {
    while (go.load()) {
      try {
        Delay d(h, h.now() + 1s);
        (void)d.reset(h.now() + 2s);
      } catch (const tickwheel::error& e) {
        if (e.code() == tickwheel::errc::shutdown) refused.fetch_add(1);
      }
    }
  });
  std::this_thread::sleep_for(20ms);
  driver.reset();
  // Wait for the user thread to see the driver gone rather than sleeping a fixed
  // time: under TSan on a loaded 2-core machine it may not run for a while.
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (refused.load() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);
  }
  go.store(false);
  user.join();
  EXPECT_GT(refused.load(), 0u);
}
