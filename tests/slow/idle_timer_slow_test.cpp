// The idle-timer seed's own scenarios, on the real clock with a standalone
// timer (its own thread), with generous upper bounds (label `slow`): a
// loaded machine may be late, never early.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "tickwheel/idle_timer.hpp"

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using tickwheel::IdleTimer;

namespace {

// Counts fires; waits for the count to reach a value.
class Fires {
 public:
  void add() {
    const std::lock_guard lock(mutex_);
    ++count_;
    last_ = Steady::now();
    cv_.notify_all();
  }
  bool wait_for_count(int n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return count_ >= n; });
  }
  int count() {
    const std::lock_guard lock(mutex_);
    return count_;
  }
  Steady::time_point last() {
    const std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int count_ = 0;
  Steady::time_point last_;
};

}  // namespace

TEST(IdleTimerSlow, FiresOnceAfterOneCall) {
  Fires fires;
  IdleTimer idle(100ms, [&] { fires.add(); });
  const auto start = Steady::now();
  ASSERT_EQ(idle.record_call(), std::error_code{});
  ASSERT_TRUE(fires.wait_for_count(1, 2s));
  EXPECT_GE(fires.last() - start, 100ms);
  std::this_thread::sleep_for(200ms);
  idle.quit();
  EXPECT_EQ(fires.count(), 1);
}

TEST(IdleTimerSlow, FiresOncePerIdlePeriodAcrossTenCycles) {
  Fires fires;
  IdleTimer idle(20ms, [&] { fires.add(); });
  for (int i = 1; i <= 10; ++i) {
    const auto start = Steady::now();
    ASSERT_EQ(idle.record_call(), std::error_code{});
    ASSERT_TRUE(fires.wait_for_count(i, 2s)) << "cycle " << i;
    EXPECT_GE(fires.last() - start, 20ms);
  }
  idle.quit();
  EXPECT_EQ(fires.count(), 10);
}

TEST(IdleTimerSlow, NeverFiresWithinTheWindowForALongDuration) {
  Fires fires;
  IdleTimer idle(999s, [&] { fires.add(); });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  EXPECT_FALSE(fires.wait_for_count(1, 300ms));
  idle.quit();
  EXPECT_EQ(fires.count(), 0);
}

TEST(IdleTimerSlow, ABurstOf400CallsFiresExactlyOnce) {
  Fires fires;
  IdleTimer idle(100ms, [&] { fires.add(); });
  Steady::time_point last_call;
  for (int i = 0; i < 400; ++i) {
    last_call = Steady::now();
    ASSERT_EQ(idle.record_call(), std::error_code{});
  }
  ASSERT_TRUE(fires.wait_for_count(1, 2s));
  EXPECT_GE(fires.last() - last_call, 100ms);
  std::this_thread::sleep_for(300ms);
  idle.quit();
  EXPECT_EQ(fires.count(), 1);
}

TEST(IdleTimerSlow, AStandaloneTimersFirstPeriodStartsAtTheCallNotOnceItsThreadIsUp) {
  // The new thread's driver reads the clock for its wheel's tick 0 (origin)
  // after the call read it, and record_call() returns after that. For a
  // whole number of ticks, the deadline rounded up from the call's reading
  // is then at most origin + duration, so at most `after` + duration. Read
  // once the thread is up, it would be a tick past origin + duration, beyond
  // that bound unless the thread handed over its handle a tick late.
  Fires fires;
  constexpr auto idle_for = 300ms;
  IdleTimer idle(idle_for, [&] { fires.add(); });
  const auto before = Steady::now();
  ASSERT_EQ(idle.record_call(), std::error_code{});
  const auto after = Steady::now();
  const auto deadline = idle.deadline();
  ASSERT_EQ(idle_for % idle.handle().tick(), tickwheel::duration{0});
  ASSERT_TRUE(deadline.has_value()) << "fired before deadline() was read";
  EXPECT_GE(*deadline, before + idle_for);
  EXPECT_LE(*deadline, after + idle_for)
      << "the period started " << (*deadline - after - idle_for).count()
      << " ns after record_call() returned";
  ASSERT_TRUE(fires.wait_for_count(1, 2s));
  EXPECT_GE(fires.last(), before + idle_for);
  idle.quit();
}

TEST(IdleTimerSlow, CallsSpacedCloserThanTheDurationKeepItFromFiring) {
  Fires fires;
  IdleTimer idle(80ms, [&] { fires.add(); });
  const auto end = Steady::now() + 400ms;
  while (Steady::now() < end) {
    ASSERT_EQ(idle.record_call(), std::error_code{});
    std::this_thread::sleep_for(5ms);
  }
  // Only a stall of this thread of over 75 ms would be a true idle period.
  EXPECT_EQ(fires.count(), 0) << "fired while calls came every ~5 ms";
  ASSERT_TRUE(fires.wait_for_count(1, 2s));
  idle.quit();
}
