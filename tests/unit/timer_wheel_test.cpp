#include "tickwheel/timer_wheel.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::time_point;
using tickwheel::TimerWheel;
using tickwheel::WheelGeometry;

namespace {
time_point at(std::chrono::nanoseconds d) { return time_point{d}; }
}  // namespace

TEST(TimerWheel, FiresAfterDelayNeverEarly) {
  TimerWheel wheel;
  int fired = 0;
  (void)wheel.schedule_after(10ms, [&] { ++fired; });
  wheel.advance(at(9ms));
  EXPECT_EQ(fired, 0);
  wheel.advance(at(10ms));
  EXPECT_EQ(fired, 1);
  wheel.advance(at(1h));
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, DeadlineBetweenTicksRoundsUp) {
  TimerWheel wheel;
  int fired = 0;
  (void)wheel.schedule_at(at(10ms + 1ns), [&] { ++fired; });
  wheel.advance(at(10ms + 999us));
  EXPECT_EQ(fired, 0);
  wheel.advance(at(11ms));
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, PastAndNegativeDeadlinesFireOnNextAdvance) {
  TimerWheel wheel(at(1s));
  std::vector<int> order;
  (void)wheel.schedule_at(at(0s), [&] { order.push_back(1); });
  (void)wheel.schedule_after(-5s, [&] { order.push_back(2); });
  EXPECT_EQ(wheel.next_deadline(), wheel.now());
  wheel.advance(wheel.now());
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(TimerWheel, FiresInDeadlineOrderTiesInScheduleOrder) {
  TimerWheel wheel;
  std::vector<int> order;
  (void)wheel.schedule_after(30ms, [&] { order.push_back(3); });
  (void)wheel.schedule_after(10ms, [&] { order.push_back(1); });
  (void)wheel.schedule_after(20ms, [&] { order.push_back(2); });
  (void)wheel.schedule_after(10ms, [&] { order.push_back(11); });
  (void)wheel.schedule_after(70000ms, [&] { order.push_back(5); });
  (void)wheel.schedule_after(300ms, [&] { order.push_back(4); });
  wheel.advance(at(2h));
  EXPECT_EQ(order, (std::vector<int>{1, 11, 2, 3, 4, 5}));
}

TEST(TimerWheel, CancelIsIdempotentAndSafeForUnknownIds) {
  TimerWheel wheel;
  int fired = 0;
  const auto id = wheel.schedule_after(5ms, [&] { ++fired; });
  EXPECT_TRUE(wheel.pending(id));
  EXPECT_TRUE(wheel.cancel(id));
  EXPECT_FALSE(wheel.cancel(id));
  EXPECT_FALSE(wheel.cancel(tickwheel::TimerId{}));
  EXPECT_FALSE(wheel.cancel(tickwheel::TimerId{12345, 7}));
  // The node is reused; the old id must not reach the new timer.
  const auto other = wheel.schedule_after(5ms, [&] { fired += 10; });
  EXPECT_EQ(other.index(), id.index());
  EXPECT_FALSE(wheel.cancel(id));
  wheel.advance(at(5ms));
  EXPECT_EQ(fired, 10);
  EXPECT_FALSE(wheel.cancel(other));
}

TEST(TimerWheel, CancelledTimersDoNotShowInNextDeadline) {
  TimerWheel wheel;
  const auto a = wheel.schedule_after(5ms, [] {});
  (void)wheel.schedule_after(2h, [] {});
  EXPECT_EQ(wheel.next_deadline(), at(5ms));
  EXPECT_TRUE(wheel.cancel(a));
  const auto next = wheel.next_deadline();
  ASSERT_TRUE(next);
  EXPECT_GT(*next, at(5ms));
  EXPECT_LE(*next, at(2h));
}

TEST(TimerWheel, NextDeadlineIsNulloptWhenEmpty) {
  TimerWheel wheel;
  EXPECT_FALSE(wheel.next_deadline());
  const auto id = wheel.schedule_after(1s, [] {});
  EXPECT_TRUE(wheel.next_deadline());
  (void)wheel.cancel(id);
  EXPECT_FALSE(wheel.next_deadline());
}

TEST(TimerWheel, RescheduleMovesEarlierAndLater) {
  TimerWheel wheel;
  std::vector<int> order;
  const auto a = wheel.schedule_after(100ms, [&] { order.push_back(1); });
  const auto b = wheel.schedule_after(50ms, [&] { order.push_back(2); });
  EXPECT_TRUE(wheel.reschedule(a, at(10ms)));
  EXPECT_TRUE(wheel.reschedule(b, at(5s)));
  EXPECT_EQ(wheel.deadline(a), at(10ms));
  wheel.advance(at(1s));
  EXPECT_EQ(order, (std::vector<int>{1}));
  wheel.advance(at(5s));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_FALSE(wheel.reschedule(a, at(6s)));
}

TEST(TimerWheel, PushLaterFiresOnlyAtTheNewDeadline) {
  TimerWheel wheel;
  int fired = 0;
  const auto id = wheel.schedule_after(30s, [&] { ++fired; });
  for (int i = 1; i <= 100; ++i) {
    wheel.advance(at(std::chrono::milliseconds(i * 100)));
    EXPECT_TRUE(wheel.push_later(id, wheel.now() + 30s));
  }
  const auto last = *wheel.deadline(id);
  EXPECT_EQ(last, at(40s));
  wheel.advance(last - 1ms);
  EXPECT_EQ(fired, 0);
  wheel.advance(last);
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, PushLaterToEarlierDeadlineReschedulesAtOnce) {
  TimerWheel wheel;
  int fired = 0;
  const auto id = wheel.schedule_after(30s, [&] { ++fired; });
  EXPECT_TRUE(wheel.push_later(id, at(1s)));
  wheel.advance(at(1s));
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, EveryLevelWrapsAround) {
  for (const auto g : {WheelGeometry::levels_of_64(), WheelGeometry::levels_of_256()}) {
    TimerWheel wheel(time_point{}, g);
    std::vector<std::int64_t> fired;
    std::vector<std::int64_t> want;
    for (unsigned level = 0; level < g.levels; ++level) {
      const std::int64_t span = std::int64_t{1} << (g.bits_per_level * (level + 1));
      for (const std::int64_t t : {span - 1, span, span + 1, 2 * span + 3}) {
        want.push_back(t);
        (void)wheel.schedule_at(at(std::chrono::milliseconds(t)),
                                [&fired, t] { fired.push_back(t); });
      }
    }
    std::sort(want.begin(), want.end());
    // Jump deadline to deadline so every level cascades.
    while (auto next = wheel.next_deadline()) wheel.advance(*next);
    EXPECT_EQ(fired, want);
  }
}

TEST(TimerWheel, FarFutureDeadlinesWaitInOverflow) {
  TimerWheel wheel(time_point{}, WheelGeometry::levels_of_64());
  int fired = 0;
  const auto far = at(std::chrono::hours(24 * 365 * 10));  // beyond the 2.2-year span
  (void)wheel.schedule_at(far, [&] { ++fired; });
  (void)wheel.schedule_at(far + std::chrono::hours(24 * 1000), [&] { fired += 100; });
  wheel.advance(far - 1ms);
  EXPECT_EQ(fired, 0);
  wheel.advance(far);
  EXPECT_EQ(fired, 1);
  wheel.advance(far + std::chrono::hours(24 * 1000));
  EXPECT_EQ(fired, 101);
}

TEST(TimerWheel, BudgetBoundsOneCallAndResumes) {
  TimerWheel wheel;
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) (void)wheel.schedule_after(1ms, [&order, i] { order.push_back(i); });
  auto r = wheel.advance(at(1ms), 3);
  EXPECT_EQ(r.fired, 3u);
  EXPECT_TRUE(r.more);
  r = wheel.advance(at(1ms), 100);
  EXPECT_EQ(r.fired, 7u);
  EXPECT_FALSE(r.more);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(TimerWheel, CallbackMayRescheduleItselfAndCancelOthers) {
  TimerWheel wheel;
  int ticks = 0;
  tickwheel::TimerId victim;
  (void)wheel.schedule_after(10ms, [&](tickwheel::TimerId self) {
    ++ticks;
    EXPECT_FALSE(wheel.cancel(self));             // firing: no longer pending
    EXPECT_EQ(wheel.cancel(victim), ticks == 1);  // only the first time
    if (ticks < 5) {
      EXPECT_TRUE(wheel.reschedule(self, wheel.now() + 10ms));
    }
  });
  victim = wheel.schedule_after(10ms, [&] { ADD_FAILURE() << "cancelled timer fired"; });
  wheel.advance(at(1s));
  EXPECT_EQ(ticks, 5);
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheel, CallbackSchedulingNowFiresBeforeTimeMovesOn) {
  TimerWheel wheel;
  std::vector<int> order;
  (void)wheel.schedule_after(1ms, [&] {
    order.push_back(1);
    (void)wheel.schedule_after(0ms, [&] { order.push_back(2); });
  });
  (void)wheel.schedule_after(2ms, [&] { order.push_back(3); });
  wheel.advance(at(5ms));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerWheel, ThrowingCallbackLeavesWheelConsistent) {
  TimerWheel wheel;
  std::vector<int> order;
  (void)wheel.schedule_after(1ms, [&] { order.push_back(1); });
  (void)wheel.schedule_after(1ms, [] { throw std::runtime_error("boom"); });
  (void)wheel.schedule_after(1ms, [&] { order.push_back(3); });
  (void)wheel.schedule_after(2ms, [&] { order.push_back(4); });
  EXPECT_THROW(wheel.advance(at(5ms)), std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_EQ(wheel.size(), 2u);
  wheel.advance(at(5ms));
  EXPECT_EQ(order, (std::vector<int>{1, 3, 4}));
}

TEST(TimerWheel, LargeCallablesAreStoredAndDestroyed) {
  auto token = std::make_shared<int>(0);
  {
    TimerWheel wheel;
    std::string big(100, 'x');
    (void)wheel.schedule_after(1ms, [token, big] { ++*token; });
    (void)wheel.schedule_after(2ms, [token, big] { ++*token; });  // never fired
    wheel.advance(at(1ms));
    EXPECT_EQ(*token, 1);
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(TimerWheel, NodeFitsTheMemoryTarget) {
  EXPECT_LE(TimerWheel::node_bytes(), 48u);
  RecordProperty("node_bytes", static_cast<int>(TimerWheel::node_bytes()));
}

TEST(TimerWheel, RejectsBadGeometryAndNanDurations) {
  EXPECT_THROW(TimerWheel(time_point{}, WheelGeometry{0ms, 4, 8}), std::system_error);
  EXPECT_THROW(TimerWheel(time_point{}, WheelGeometry{-1ms, 4, 8}), std::system_error);
  EXPECT_THROW(TimerWheel(time_point{}, WheelGeometry{1ms, 9, 8}), std::system_error);
  EXPECT_THROW(TimerWheel(time_point{}, WheelGeometry{1ms, 4, 13}), std::system_error);
  EXPECT_THROW(TimerWheel(time_point{}, WheelGeometry{1ms, 1, 0}), std::system_error);
  EXPECT_FALSE(WheelGeometry({1ms, 8, 8}).validate());  // exactly 64 bits fits
  EXPECT_EQ(WheelGeometry({1ms, 0, 6}).validate(), tickwheel::errc::invalid_argument);
  TimerWheel wheel;
  try {
    (void)wheel.schedule_after(std::chrono::duration<double>(std::nan("")), [] {});
    FAIL() << "NaN accepted";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::invalid_argument);
  }
  EXPECT_TRUE(wheel.empty());
}

TEST(TimerWheel, RunsOnManualClock) {
  tickwheel::ManualClock clock;
  TimerWheel wheel(clock.now());
  int fired = 0;
  (void)wheel.schedule_after(3h, [&] { ++fired; });
  clock.advance(3h);
  wheel.advance(clock.now());
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, SelfRearmingForNowRunsOncePerTickNotInALoop) {
  TimerWheel wheel;
  int runs = 0;
  (void)wheel.schedule_after(1ms, [&](tickwheel::TimerId self) {
    ++runs;
    EXPECT_TRUE(wheel.reschedule(self, wheel.now()));
  });
  (void)wheel.schedule_after(3ms, [] {});
  // Tick 1: its own slot, then the due list once; tick 3: the due list once.
  wheel.advance(at(3ms));
  EXPECT_EQ(runs, 3);
  wheel.advance(at(3ms));
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(wheel.size(), 1u);
}

TEST(TimerWheel, CallableOutlivesItsOwnCancellation) {
  TimerWheel wheel;
  auto token = std::make_shared<int>(0);
  bool still_alive = false;
  (void)wheel.schedule_after(1ms, [&, token](tickwheel::TimerId self) {
    EXPECT_TRUE(wheel.reschedule(self, wheel.now() + 5ms));
    EXPECT_TRUE(wheel.cancel(self));
    // The node must not be handed out while this callable still runs.
    const auto other = wheel.schedule_after(1ms, [] {});
    EXPECT_NE(other.index(), self.index());
    still_alive = token.use_count() == 2;
  });
  wheel.advance(at(1ms));
  EXPECT_TRUE(still_alive);
  EXPECT_EQ(token.use_count(), 1);  // destroyed once the callback returned
  EXPECT_EQ(wheel.size(), 1u);
}

TEST(TimerWheel, AdvanceFromACallbackIsRejected) {
  TimerWheel wheel;
  bool rejected = false;
  (void)wheel.schedule_after(1ms, [&] {
    try {
      wheel.advance(at(1h));
    } catch (const tickwheel::error& e) {
      rejected = e.code() == tickwheel::errc::invalid_argument;
    }
  });
  int later = 0;
  (void)wheel.schedule_after(2ms, [&] { ++later; });
  wheel.advance(at(1ms));
  EXPECT_TRUE(rejected);
  EXPECT_EQ(later, 0);
  wheel.advance(at(2ms));
  EXPECT_EQ(later, 1);
}

TEST(TimerWheel, MemoryStaysProportionalToLiveTimersUnderChurn) {
  TimerWheel wheel;
  std::vector<tickwheel::TimerId> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(wheel.schedule_after(30s, [] {}));
  // Re-arm every timer many times without time moving: each reschedule
  // leaves a stale entry behind in the same far slot.
  for (int round = 0; round < 1000; ++round) {
    for (const auto id : ids) ASSERT_TRUE(wheel.reschedule(id, at(30s + 1ms * (round % 7))));
  }
  const auto stats = wheel.stats();
  EXPECT_EQ(stats.pending, 100u);
  EXPECT_EQ(stats.nodes, 100u);
  EXPECT_LE(stats.slot_entries, 3 * 100u + 3 * 64u);
}

TEST(TimerWheel, ClearCancelsEverything) {
  TimerWheel wheel;
  int fired = 0;
  const auto a = wheel.schedule_after(1ms, [&] { ++fired; });
  (void)wheel.schedule_after(1h, [&] { ++fired; });
  (void)wheel.schedule_after(-1ms, [&] { ++fired; });
  wheel.clear();
  EXPECT_TRUE(wheel.empty());
  EXPECT_FALSE(wheel.pending(a));
  EXPECT_FALSE(wheel.next_deadline());
  wheel.advance(at(2h));
  EXPECT_EQ(fired, 0);
  (void)wheel.schedule_after(1ms, [&] { ++fired; });
  wheel.advance(wheel.now() + 1ms);
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, ReserveAvoidsGrowingLater) {
  TimerWheel wheel;
  wheel.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) (void)wheel.schedule_after(std::chrono::milliseconds(i), [] {});
  EXPECT_EQ(wheel.stats().nodes, 10'000u);
  EXPECT_EQ(wheel.advance(at(10s)).fired, 10'000u);
}

TEST(TimerWheel, ThrowingCopyLeavesNothingScheduled) {
  struct throws_on_copy {
    throws_on_copy() = default;
    throws_on_copy(const throws_on_copy&) { throw std::runtime_error("copy"); }
    void operator()() const {}
  };
  TimerWheel wheel;
  const throws_on_copy f;
  EXPECT_THROW((void)wheel.schedule_after(1ms, f), std::runtime_error);
  EXPECT_TRUE(wheel.empty());
  EXPECT_FALSE(wheel.next_deadline());
  int fired = 0;
  (void)wheel.schedule_after(1ms, [&] { ++fired; });
  wheel.advance(at(1ms));
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, SixtyFourBitGeometryNeedsNoOverflow) {
  TimerWheel wheel(time_point{}, WheelGeometry{1ns, 8, 8});
  int fired = 0;
  const auto end = time_point::max();
  (void)wheel.schedule_at(end, [&] { ++fired; });
  (void)wheel.schedule_at(end - 1ns, [&] { ++fired; });
  wheel.advance(end - 2ns);
  EXPECT_EQ(fired, 0);
  wheel.advance(end);
  EXPECT_EQ(fired, 2);
}

TEST(TimerWheel, DeadlinesAtTheEndOfTimeFire) {
  TimerWheel wheel;
  int fired = 0;
  (void)wheel.schedule_at(time_point::max(), [&] { ++fired; });
  (void)wheel.schedule_after(std::chrono::hours::max(), [&] { ++fired; });  // saturates
  wheel.advance(time_point::max() - 1ms);
  EXPECT_EQ(fired, 0);
  wheel.advance(time_point::max());
  EXPECT_EQ(fired, 2);
}

TEST(TimerWheel, NextDeadlineIsALowerBoundAndExactNearby) {
  TimerWheel wheel;
  (void)wheel.schedule_after(200ms, [] {});
  EXPECT_EQ(wheel.next_deadline(), at(200ms));  // level 0: exact
  TimerWheel far;
  (void)far.schedule_at(at(10s + 7ms), [] {});
  const auto next = far.next_deadline();
  ASSERT_TRUE(next);
  EXPECT_LE(*next, at(10s + 7ms));
  EXPECT_EQ(*next, at(10s + 7ms));  // a coarse slot remembers its earliest deadline
}

TEST(TimerWheel, PushedLaterTimerWakesAtMostOnceAtItsOldDeadline) {
  TimerWheel wheel;
  int fired = 0;
  const auto id = wheel.schedule_after(100ms, [&] { ++fired; });
  EXPECT_TRUE(wheel.push_later(id, at(300ms)));
  EXPECT_EQ(wheel.next_deadline(), at(100ms));  // the old slot still answers
  wheel.advance(at(100ms));
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(wheel.next_deadline(), at(300ms));  // re-filed: exact again
  wheel.advance(at(300ms));
  EXPECT_EQ(fired, 1);
}
