// Concurrency tests of IdleTimer on the real clock: record_call() from two
// threads at once, quit() racing with fires, and the lazy start of a
// standalone timer's thread. Also run under ThreadSanitizer.
#include "tickwheel/idle_timer.hpp"

#include <atomic>
#include <barrier>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using tickwheel::DriverThread;
using tickwheel::IdleTimer;

namespace {

// Waits (at most `limit`) for `pred`; the condition is what the test asserts.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto give_up = Steady::now() + limit;
  while (!pred()) {
    if (Steady::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST(IdleTimerConcurrency, TwoThreadsFeedingItFireItOnlyAfterEachIdleGapNeverEarly) {
  DriverThread driver;
  constexpr auto idle_for = 30ms;
  std::mutex mutex;
  std::vector<Steady::time_point> fires;
  IdleTimer idle(driver.handle(), idle_for, [&] {
    const std::lock_guard lock(mutex);
    fires.push_back(Steady::now());
  });
  // Before each call a thread notes the time; the timer read its clock after
  // that, so the fire is due no earlier than the latest note + idle_for.
  std::atomic<Steady::rep> latest_note{0};
  constexpr int rounds = 5;
  std::barrier sync(2);
  auto feeder = [&] {
    for (int r = 0; r < rounds; ++r) {
      const auto burst_end = Steady::now() + 10ms;
      while (Steady::now() < burst_end) {
        const auto note = Steady::now().time_since_epoch().count();
        Steady::rep seen = latest_note.load();
        while (note > seen && !latest_note.compare_exchange_weak(seen, note)) {
        }
        ASSERT_EQ(idle.record_call(), std::error_code{});
        std::this_thread::sleep_for(50us);
      }
      sync.arrive_and_wait();  // both bursts over: the idle gap starts
      ASSERT_TRUE(
          eventually([&] { return idle.fire_count() >= static_cast<std::uint64_t>(r + 1); }));
      sync.arrive_and_wait();
    }
  };
  std::thread a(feeder);
  std::thread b(feeder);
  a.join();
  b.join();
  idle.quit();
  const std::lock_guard lock(mutex);
  ASSERT_GE(fires.size(), static_cast<std::size_t>(rounds));
  const Steady::time_point last_note{Steady::duration{latest_note.load()}};
  EXPECT_GE(fires.back(), last_note + idle_for);
}

TEST(IdleTimerConcurrency, QuitWaitsForACallbackRunningOnAnotherThread) {
  DriverThread driver;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  IdleTimer idle(driver.handle(), 1ms, [&] {
    started = true;
    std::this_thread::sleep_for(50ms);
    finished = true;
  });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  idle.quit();
  EXPECT_TRUE(finished.load());
}

TEST(IdleTimerConcurrency, NoCallbackStartsAfterQuitReturnsEvenWhenItRacesAFire) {
  DriverThread driver;
  for (int i = 0; i < 200; ++i) {
    // The callback touches an object destroyed right after quit(): a call
    // that slipped past quit() would be a use after free (ASan, TSan).
    auto touched = std::make_unique<std::atomic<int>>(0);
    auto* counter = touched.get();
    IdleTimer idle(driver.handle(), 0ms, [counter] { counter->fetch_add(1); });
    ASSERT_EQ(idle.record_call(), std::error_code{});
    std::this_thread::sleep_for(std::chrono::microseconds(i % 7 * 50));
    idle.quit();
    const int at_quit = touched->load();
    EXPECT_LE(at_quit, 1);
    touched.reset();
    EXPECT_EQ(idle.record_call(), make_error_code(tickwheel::errc::cancelled));
  }
}

TEST(IdleTimerConcurrency, AStandaloneTimerStartsOneThreadWhenTwoThreadsCallFirst) {
  std::atomic<int> fired{0};
  IdleTimer idle(5ms, [&] { fired.fetch_add(1); });
  std::barrier go(2);
  auto first_call = [&] {
    go.arrive_and_wait();
    EXPECT_EQ(idle.record_call(), std::error_code{});
  };
  std::thread a(first_call);
  std::thread b(first_call);
  a.join();
  b.join();
  EXPECT_TRUE(idle.handle().alive());
  ASSERT_TRUE(eventually([&] { return fired.load() == 1; }));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(fired.load(), 1);
}
