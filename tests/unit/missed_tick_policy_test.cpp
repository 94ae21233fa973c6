#include "tickwheel/missed_tick_policy.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

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

// Exact reference arithmetic for the full int64 range.
__extension__ typedef __int128 wide;

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

wide ns(time_point t) { return t.time_since_epoch().count(); }

time_point saturated(wide v) {
  return at(duration{v > i64_max ? i64_max : static_cast<std::int64_t>(v)});
}

// The policies' definitions, computed without any overflow.
wide reference_grid(duration interval, time_point scheduled, time_point now) {
  const wide step = interval.count();
  return ns(scheduled) + ((ns(now) - ns(scheduled)) / step + 1) * step;
}
wide reference_drift(duration tolerance, duration interval, time_point scheduled, time_point now) {
  if (ns(now) - ns(scheduled) > tolerance.count()) return ns(now) + interval.count();
  return reference_grid(interval, scheduled, now);
}

std::string text(wide v) {
  const bool negative = v < 0;
  std::string digits;
  do {
    const int digit = static_cast<int>(v % 10);
    digits.insert(digits.begin(), static_cast<char>('0' + (negative ? -digit : digit)));
    v /= 10;
  } while (v != 0);
  return negative ? "-" + digits : digits;
}

// A value spread over all magnitudes, not just near 2^63: a random number
// of its low bits are random.
std::uint64_t random_bits(std::mt19937_64& rng) {
  const auto width = static_cast<unsigned>(rng() % 65);
  return width == 0 ? 0 : rng() >> (64 - width);
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

// Lateness beyond the int64 range (now - scheduled > 2^63 - 1): the
// difference must not saturate, or the next tick lands at or before now.
TEST(MissedTickPolicy, LatenessBeyondTheInt64RangeIsExact) {
  const time_point scheduled = at(duration{-4'550'000'000'000'000'000});
  const time_point now = at(duration{8'280'000'000'000'000'000});
  for (const duration interval :
       {duration{1}, duration{7}, duration{1'000'000'000}, duration{3'000'000'000'000'000'001}}) {
    SCOPED_TRACE(interval.count());
    const time_point resync = SkipMissedAndResync{}.next_tick(interval, scheduled, now);
    EXPECT_GT(resync, now);
    EXPECT_EQ(resync, saturated(reference_grid(interval, scheduled, now)));
    // The largest interval's next grid point is past the end of time.
    if (resync != time_point::max()) {
      EXPECT_TRUE((ns(resync) - ns(scheduled)) % interval.count() == 0);
    }
    EXPECT_EQ(SkipMissedAndDrift{}.next_tick(interval, scheduled, now),
              saturated(ns(now) + interval.count()));
    // A tolerance larger than any int64 lateness is still exceeded.
    EXPECT_EQ(SkipMissedAndDrift{duration{i64_max}}.next_tick(interval, scheduled, now),
              saturated(ns(now) + interval.count()));
  }
  EXPECT_EQ(SkipMissedAndResync{}.next_tick(1s, scheduled, now),
            at(duration{8'280'000'001'000'000'000}));

  // The whole range: every grid point after now is past the end of time.
  const time_point first = time_point::min();
  const time_point last = time_point::max();
  EXPECT_EQ(SkipMissedAndResync{}.next_tick(duration{1}, first, last), last);
  EXPECT_EQ(SkipMissedAndResync{}.next_tick(duration{i64_max}, first, last), last);
  EXPECT_EQ(SkipMissedAndResync{}.next_tick(duration{i64_max}, first, last - duration{2}),
            last - duration{1});
  EXPECT_EQ(SkipMissedAndDrift{duration{i64_max}}.next_tick(1s, first, last), last);
  EXPECT_EQ(SkipMissedAndDrift{duration{i64_max}}.next_tick(1s, first, at(duration{-1})),
            at(duration{145'224'192}));  // lateness exactly i64_max: within the tolerance
}

// Properties over the full int64 range: random scheduled <= now and
// interval > 0, each result against the 128-bit reference; strictly after
// now unless saturated at time_point::max(), and on the grid for resync.
TEST(MissedTickPolicy, RandomCasesOverTheFullRangeMatchTheExactReference) {
  std::mt19937_64 rng(seed + 3);
  const time_point end = time_point::max();
  for (int i = 0; i < 500'000; ++i) {
    time_point scheduled = at(duration{static_cast<std::int64_t>(rng())});
    time_point now{};
    if (rng() % 2 == 0) {  // two points anywhere: mostly huge lateness
      now = at(duration{static_cast<std::int64_t>(rng())});
      if (now < scheduled) std::swap(now, scheduled);
    } else {  // a lateness of any magnitude, cut at the end of time
      const wide target = ns(scheduled) + static_cast<wide>(random_bits(rng));
      now = saturated(target);
    }
    const duration interval{
        std::max<std::int64_t>(1, static_cast<std::int64_t>(random_bits(rng) >> 1))};
    const duration tolerance{static_cast<std::int64_t>(random_bits(rng) >> 1)};
    const auto where = [&] {
      return ::testing::Message() << "seed " << seed + 3 << " case " << i << ": interval "
                                  << interval.count() << " scheduled "
                                  << scheduled.time_since_epoch().count() << " now "
                                  << now.time_since_epoch().count() << " tolerance "
                                  << tolerance.count();
    };

    const wide grid = reference_grid(interval, scheduled, now);
    ASSERT_TRUE(grid > ns(now)) << where() << " reference " << text(grid);  // the reference itself
    const time_point resync = SkipMissedAndResync{}.next_tick(interval, scheduled, now);
    ASSERT_EQ(resync, saturated(grid)) << where() << " reference " << text(grid);
    if (resync != end) {
      ASSERT_GT(resync, now) << where();
      ASSERT_TRUE((ns(resync) - ns(scheduled)) % interval.count() == 0) << where();
      ASSERT_TRUE(ns(resync) - interval.count() <= ns(now)) << where();  // the first one after now
    }

    const wide drifted = reference_drift(tolerance, interval, scheduled, now);
    const time_point drift = SkipMissedAndDrift{tolerance}.next_tick(interval, scheduled, now);
    ASSERT_EQ(drift, saturated(drifted)) << where() << " reference " << text(drifted);
    if (drift != end) {
      ASSERT_GT(drift, now) << where();
    }

    const time_point all = TriggerAllMissed{}.next_tick(interval, scheduled, now);
    ASSERT_EQ(all, saturated(ns(scheduled) + interval.count())) << where();

    // Through the type-erased holder, as Interval calls them.
    ASSERT_EQ(AnyMissedTickPolicy{SkipMissedAndResync{}}.next_tick(interval, scheduled, now),
              resync)
        << where();
    ASSERT_EQ(
        AnyMissedTickPolicy{SkipMissedAndDrift{tolerance}}.next_tick(interval, scheduled, now),
        drift)
        << where();
  }
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
