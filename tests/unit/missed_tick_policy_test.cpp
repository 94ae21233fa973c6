#include "tickwheel/missed_tick_policy.hpp"

#include <cstdint>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tickwheel::AnyMissedTickPolicy;
using tickwheel::duration;
using tickwheel::SkipMissedAndDrift;
using tickwheel::SkipMissedAndResync;
using tickwheel::time_point;
using tickwheel::TriggerAllMissed;

namespace {

time_point at(duration d) { return time_point{d}; }

// A seed printed on failure, so a failing random case can be replayed.
constexpr std::uint64_t seed = 20261204;

// Delays that are mostly small, sometimes several periods, sometimes zero.
duration random_delay(std::mt19937_64& rng, duration interval) {
  const std::int64_t i = interval.count();
  switch (rng() % 4) {
    case 0:
      return duration::zero();
    case 1:
      return duration{static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(i))};
    case 2:
      return duration{i * static_cast<std::int64_t>(rng() % 5)};  // exactly on a later grid point
    default:
      return duration{static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(10 * i))};
  }
}

struct ExtraSecondAfterEachTick {
  [[nodiscard]] time_point next_tick(duration interval, time_point scheduled,
                                     time_point /*now*/) const {
    return scheduled + interval + 1s;
  }
};

struct NeverLater {
  [[nodiscard]] time_point next_tick(duration, time_point scheduled, time_point) const {
    return scheduled;
  }
};

struct Throws {
  [[nodiscard]] time_point next_tick(duration, time_point, time_point) const {
    throw std::runtime_error("no next tick");
  }
};

}  // namespace

TEST(MissedTickPolicy, BuiltInsAndUserTypesSatisfyTheConcept) {
  static_assert(tickwheel::MissedTickPolicy<TriggerAllMissed>);
  static_assert(tickwheel::MissedTickPolicy<ExtraSecondAfterEachTick>);
  static_assert(!tickwheel::MissedTickPolicy<int>);
  struct WrongResult {
    [[nodiscard]] int next_tick(duration, time_point, time_point) const { return 0; }
  };
  static_assert(!tickwheel::MissedTickPolicy<WrongResult>);
}

// The seed's examples at the policy level: interval 1 s, the tick scheduled
// at `scheduled` is handled at `now`.
TEST(MissedTickPolicy, TriggerAllMissedKeepsEveryTickOfTheGrid) {
  const TriggerAllMissed p;
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1200ms)), at(2s));
  EXPECT_EQ(p.next_tick(1s, at(2s), at(2300ms)), at(3s));
  EXPECT_EQ(p.next_tick(1s, at(3s), at(4300ms)), at(4s));  // due already: a burst
  EXPECT_EQ(p.next_tick(1s, at(4s), at(4300ms)), at(5s));
}

TEST(MissedTickPolicy, SkipMissedAndResyncSkipsToTheNextGridPoint) {
  const SkipMissedAndResync p;
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1200ms)), at(2s));
  EXPECT_EQ(p.next_tick(1s, at(2s), at(2300ms)), at(3s));
  EXPECT_EQ(p.next_tick(1s, at(3s), at(4300ms)), at(5s));  // 4 s skipped
  EXPECT_EQ(p.next_tick(1s, at(5s), at(5100ms)), at(6s));
  // Handled exactly on a later grid point: that one counts as handled.
  EXPECT_EQ(p.next_tick(1s, at(1s), at(3s)), at(4s));
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1s)), at(2s));
}

TEST(MissedTickPolicy, SkipMissedAndDriftMovesTheGridOnlyBeyondTheTolerance) {
  const SkipMissedAndDrift p{100ms};
  EXPECT_EQ(p.delay_tolerance(), 100ms);
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1200ms)), at(2200ms));      // 0.2 s late: drifts
  EXPECT_EQ(p.next_tick(1s, at(2200ms), at(2300ms)), at(3200ms));  // exactly the tolerance
  EXPECT_EQ(p.next_tick(1s, at(3200ms), at(4300ms)), at(5300ms));  // 1.1 s late: drifts
  EXPECT_EQ(p.next_tick(1s, at(5300ms), at(5300ms)), at(6300ms));
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1s + 100ms + 1ns)), at(2s + 100ms + 1ns));
  // Default tolerance zero: any delay drifts, none does not.
  const SkipMissedAndDrift strict;
  EXPECT_EQ(strict.next_tick(1s, at(1s), at(1s + 1ns)), at(2s + 1ns));
  EXPECT_EQ(strict.next_tick(1s, at(1s), at(1s)), at(2s));
}

TEST(MissedTickPolicy, SkipMissedAndDriftWithinAToleranceAboveTheIntervalSkipsOnTheGrid) {
  const SkipMissedAndDrift p{5s};
  EXPECT_EQ(p.next_tick(1s, at(1s), at(3500ms)), at(4s));
}

TEST(MissedTickPolicy, NegativeToleranceIsRejected) {
  EXPECT_THROW(SkipMissedAndDrift{-1ns}, tickwheel::error);
  try {
    (void)SkipMissedAndDrift{-1ms};
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::invalid_argument);
  }
  EXPECT_NO_THROW(SkipMissedAndDrift{0ns});
}

TEST(MissedTickPolicy, ArithmeticSaturatesAtTheEndOfTime) {
  const time_point end = time_point::max();
  EXPECT_EQ(TriggerAllMissed{}.next_tick(1s, end - 1ms, end - 1ms), end);
  EXPECT_EQ(SkipMissedAndResync{}.next_tick(1s, end - 1ms, end), end);
  EXPECT_EQ(SkipMissedAndDrift{}.next_tick(1s, end - 3s, end), end);
}

TEST(AnyMissedTickPolicy, HoldsBuiltInsAndUserPolicies) {
  const AnyMissedTickPolicy burst;  // TriggerAllMissed
  EXPECT_EQ(burst.next_tick(1s, at(3s), at(4300ms)), at(4s));
  const AnyMissedTickPolicy drift = SkipMissedAndDrift{100ms};
  EXPECT_EQ(drift.next_tick(1s, at(3200ms), at(4300ms)), at(5300ms));
  const AnyMissedTickPolicy user = ExtraSecondAfterEachTick{};
  const AnyMissedTickPolicy copy = user;
  EXPECT_EQ(copy.next_tick(1s, at(1s), at(1s)), at(3s));
}

TEST(AnyMissedTickPolicy, AResultNotAfterTheScheduledTickFallsBackToOneInterval) {
  const AnyMissedTickPolicy p = NeverLater{};
  EXPECT_EQ(p.next_tick(1s, at(1s), at(1s)), at(2s));
  const AnyMissedTickPolicy t = Throws{};
  EXPECT_THROW((void)t.next_tick(1s, at(1s), at(1s)), std::runtime_error);
}

// Properties: for random intervals, delays and tolerances, each policy's
// next tick is strictly after the scheduled one and is what its definition
// says.
TEST(MissedTickPolicy, RandomCasesSatisfyEachDefinition) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200000; ++i) {
    const duration interval{1 + static_cast<std::int64_t>(rng() % 10'000'000'000)};
    const time_point scheduled = at(duration{static_cast<std::int64_t>(rng() >> 3)});
    const time_point now = scheduled + random_delay(rng, interval);
    const duration tolerance{
        static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(2 * interval.count()))};
    // Built only when an assertion fails.
    const auto where = [&] {
      return ::testing::Message() << "seed " << seed << " case " << i << ": interval "
                                  << interval.count() << " scheduled "
                                  << scheduled.time_since_epoch().count() << " now "
                                  << now.time_since_epoch().count() << " tolerance "
                                  << tolerance.count();
    };

    const time_point all = TriggerAllMissed{}.next_tick(interval, scheduled, now);
    ASSERT_GT(all, scheduled) << where();
    ASSERT_EQ(all - scheduled, interval) << where();

    const time_point resync = SkipMissedAndResync{}.next_tick(interval, scheduled, now);
    ASSERT_GT(resync, scheduled) << where();
    ASSERT_GT(resync, now) << where();
    ASSERT_EQ((resync - scheduled) % interval, duration::zero()) << where();
    ASSERT_LE(resync - interval, now) << where();  // the first grid point after now

    const time_point drift = SkipMissedAndDrift{tolerance}.next_tick(interval, scheduled, now);
    ASSERT_GT(drift, scheduled) << where();
    ASSERT_GT(drift, now) << where();
    if (now - scheduled > tolerance) {
      ASSERT_EQ(drift, now + interval) << where();
    } else {
      ASSERT_EQ(drift, resync) << where();
    }
  }
}

// TriggerAllMissed loses no tick: however late each one is handled, the
// ticks delivered are exactly the grid, one after the other.
TEST(MissedTickPolicy, TriggerAllMissedLosesNoTick) {
  std::mt19937_64 rng(seed + 1);
  const duration interval = 7ms;
  const time_point start = at(1s);
  time_point scheduled = start + interval;
  time_point now = start;
  for (std::int64_t k = 1; k <= 100000; ++k) {
    ASSERT_EQ(scheduled, start + k * interval);
    // Handled whenever the consumer gets to it, never before it is due.
    now = std::max(now, scheduled) + duration{static_cast<std::int64_t>(rng() % 30'000'000)};
    scheduled = TriggerAllMissed{}.next_tick(interval, scheduled, now);
  }
}

// No cumulative drift: 10^6 periods with random delays end exactly where the
// grid says, for the two policies that keep the grid (and for
// SkipMissedAndDrift while every delay is within its tolerance).
TEST(MissedTickPolicy, GridKeepingPoliciesAccumulateNoDriftOverAMillionPeriods) {
  constexpr std::int64_t periods = 1'000'000;
  const duration interval = 10ms + 3ns;  // not a round number on purpose
  const time_point start = at(5s);

  std::mt19937_64 rng(seed + 2);
  time_point scheduled = start + interval;
  for (std::int64_t k = 0; k < periods; ++k) {
    const time_point now = scheduled + duration{static_cast<std::int64_t>(rng() % 9'000'000)};
    scheduled = TriggerAllMissed{}.next_tick(interval, scheduled, now);
  }
  EXPECT_EQ(scheduled, start + (periods + 1) * interval);

  scheduled = start + interval;
  time_point now = start;
  for (std::int64_t k = 0; k < periods; ++k) {
    now = scheduled + random_delay(rng, interval);
    scheduled = SkipMissedAndResync{}.next_tick(interval, scheduled, now);
    ASSERT_EQ((scheduled - start) % interval, duration::zero()) << "period " << k;
  }
  EXPECT_GT(scheduled, now);
  EXPECT_LE(scheduled - interval, now);

  const SkipMissedAndDrift tolerant{1ms};
  scheduled = start + interval;
  for (std::int64_t k = 0; k < periods; ++k) {
    now = scheduled + duration{static_cast<std::int64_t>(rng() % 1'000'001)};  // <= 1 ms
    scheduled = tolerant.next_tick(interval, scheduled, now);
  }
  EXPECT_EQ(scheduled, start + (periods + 1) * interval);
}
