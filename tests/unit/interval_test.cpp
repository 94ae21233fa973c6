#include "tickwheel/interval.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::AnyMissedTickPolicy;
using tickwheel::Driver;
using tickwheel::duration;
using tickwheel::errc;
using tickwheel::Interval;
using tickwheel::IntervalOptions;
using tickwheel::IntervalTick;
using tickwheel::ManualClock;
using tickwheel::ResetOptions;
using tickwheel::SkipMissedAndDrift;
using tickwheel::SkipMissedAndResync;
using tickwheel::time_point;
using tickwheel::TriggerAllMissed;

namespace {

time_point at(duration d) { return time_point{d}; }

struct RecordingWaiter final : tickwheel::detail::Waiter {
  void complete(std::error_code ec) noexcept override { results.push_back(ec); }
  std::vector<std::error_code> results;
};

// A tick as the seed's examples state it: when it was due, how late it was.
struct Expected {
  duration scheduled;
  duration drift;
};

// One step of a worked example: the driver gets to run at `handled` (late
// on purpose; nullopt: it sleeps until the next tick is due, i.e. on time),
// and these ticks come out.
struct Step {
  std::optional<duration> handled;
  std::vector<Expected> ticks;
};

IntervalOptions first_tick_at_start() {
  IntervalOptions o;
  o.first_tick_at_start = true;
  return o;
}

void expect_ticks(const std::vector<IntervalTick>& got, const std::vector<Expected>& want,
                  std::uint64_t& number) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].scheduled, at(want[i].scheduled)) << "tick " << i;
    EXPECT_EQ(got[i].drift, want[i].drift) << "tick " << i;
    EXPECT_EQ(got[i].number, ++number) << "tick " << i;
  }
}

// Replays `steps` on an interval of 1 s from time 0 whose first tick is at
// the start, as the seed's examples do: once with a callback (handled when
// the driver runs it), once pulled with consume() (handled when consumed,
// right after the driver has run).
void replay(const AnyMissedTickPolicy& policy, const std::vector<Step>& steps) {
  {
    SCOPED_TRACE("callback");
    ManualClock clock;
    Driver driver(clock);
    std::vector<IntervalTick> got;
    Interval every(driver.handle(), 1s, policy, first_tick_at_start(),
                   [&](const IntervalTick& t) { got.push_back(t); });
    std::uint64_t number = 0;
    for (const Step& step : steps) {
      got.clear();
      if (step.handled) {
        clock.set(at(*step.handled));
        while (driver.turn(0ns).fired > 0) {
        }
      } else {
        driver.turn();
      }
      expect_ticks(got, step.ticks, number);
    }
  }
  {
    SCOPED_TRACE("consume");
    ManualClock clock;
    Driver driver(clock);
    Interval every(driver.handle(), 1s, policy, first_tick_at_start());
    std::uint64_t number = 0;
    for (const Step& step : steps) {
      if (step.handled) {
        clock.set(at(*step.handled));
        driver.turn(0ns);
      } else {
        driver.turn();
      }
      std::vector<IntervalTick> got;
      IntervalTick t;
      while (every.ready()) {
        ASSERT_FALSE(every.consume(t));
        got.push_back(t);
      }
      EXPECT_EQ(every.consume(t), std::errc::operation_would_block);
      expect_ticks(got, step.ticks, number);
    }
  }
}

}  // namespace

// ---- the seed's worked examples, tick for tick ----------------------------------------

TEST(Interval, SeedExampleSkipMissedAndDriftWithToleranceOfATenth) {
  replay(SkipMissedAndDrift{100ms}, {
                                        {0s, {{0s, 0s}}},
                                        {1200ms, {{1s, 200ms}}},       // drifts: next at 2.2
                                        {2300ms, {{2200ms, 100ms}}},   // == tolerance: stays
                                        {4300ms, {{3200ms, 1100ms}}},  // drifts: next at 5.3
                                        {std::nullopt, {{5300ms, 0s}}},
                                        {std::nullopt, {{6300ms, 0s}}},
                                    });
}

TEST(Interval, SeedExampleSkipMissedAndResync) {
  replay(SkipMissedAndResync{}, {
                                    {0s, {{0s, 0s}}},
                                    {1200ms, {{1s, 200ms}}},
                                    {2300ms, {{2s, 300ms}}},
                                    {4300ms, {{3s, 1300ms}}},  // the tick at 4 s is skipped
                                    {5100ms, {{5s, 100ms}}},
                                    {std::nullopt, {{6s, 0s}}},
                                });
}

TEST(Interval, SeedExampleTriggerAllMissed) {
  replay(TriggerAllMissed{}, {
                                 {0s, {{0s, 0s}}},
                                 {1200ms, {{1s, 200ms}}},
                                 {2300ms, {{2s, 300ms}}},
                                 {4300ms, {{3s, 1300ms}, {4s, 300ms}}},  // a catch-up burst
                                 {5100ms, {{5s, 100ms}}},
                                 {std::nullopt, {{6s, 0s}}},
                             });
}

TEST(Interval, SeedExampleOfAUserPolicyAddingASecond) {
  struct ExtraSecondAfterEachTick {
    [[nodiscard]] time_point next_tick(duration interval, time_point scheduled,
                                       time_point /*now*/) const {
      return scheduled + interval + 1s;
    }
  };
  replay(ExtraSecondAfterEachTick{}, {
                                         {0s, {{0s, 0s}}},
                                         {std::nullopt, {{2s, 0s}}},
                                         {4500ms, {{4s, 500ms}}},
                                         {std::nullopt, {{6s, 0s}}},
                                     });
}

// ---- the schedule -------------------------------------------------------------------------

TEST(Interval, FirstTickIsOneIntervalAfterStartPlusStartDelay) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o;
  o.start_delay = 500ms;
  std::vector<IntervalTick> got;
  Interval every(driver.handle(), 1s, {}, o, [&](const IntervalTick& t) { got.push_back(t); });
  EXPECT_TRUE(every.is_running());
  EXPECT_EQ(every.next_tick(), at(11500ms));
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.start_delay(), 500ms);
  driver.run_until(at(11499ms));
  EXPECT_TRUE(got.empty());
  driver.run_until(at(13500ms));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].scheduled, at(11500ms));
  EXPECT_EQ(got[2].scheduled, at(13500ms));
  EXPECT_EQ(got[2].number, 3u);
  EXPECT_EQ(every.next_tick(), at(14500ms));
}

TEST(Interval, FirstTickAtStartOptionTicksAtTheStartInstantPlusDelay) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o = first_tick_at_start();
  Interval now_tick(driver.handle(), 1s, {}, o);
  EXPECT_EQ(now_tick.next_tick(), at(10s));
  o.start_delay = 250ms;
  Interval delayed(driver.handle(), 1s, {}, o);
  EXPECT_EQ(delayed.next_tick(), at(10250ms));
}

// tokio's Interval::new(start, 300ms): the first tick at `start`, then on the
// grid; a consumer that falls behind gets the missed ticks in a burst.
TEST(Interval, StartAtTicksFirstAtThatInstantThenOnItsGrid) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  const time_point start = clock.now();
  IntervalOptions o;
  o.start_at = start;
  Interval every(driver.handle(), 300ms, TriggerAllMissed{}, o);
  EXPECT_EQ(every.next_tick(), start);
  IntervalTick t;
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, start);
  EXPECT_EQ(t.drift, 0ms);
  EXPECT_FALSE(every.ready());
  clock.advance(100ms);
  driver.turn(0ns);
  EXPECT_FALSE(every.ready());
  clock.advance(200ms);
  driver.turn(0ns);
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, start + 300ms);
  clock.advance(650ms);  // behind by two ticks: 600 and 900 ms come at once
  driver.turn(0ns);
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, start + 600ms);
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, start + 900ms);
  EXPECT_EQ(t.drift, 50ms);
  EXPECT_EQ(every.consume(t), std::errc::operation_would_block);
  EXPECT_EQ(every.next_tick(), start + 1200ms);
}

TEST(Interval, StartAtInThePastOrFutureAndOnlyForTheFirstStart) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions past;
  past.start_at = at(9s);  // due at once, a second late
  Interval late(driver.handle(), 1s, SkipMissedAndResync{}, past);
  IntervalTick t;
  ASSERT_FALSE(late.wait(t));
  EXPECT_EQ(t.scheduled, at(9s));
  EXPECT_EQ(t.drift, 1s);
  EXPECT_EQ(late.next_tick(), at(11s));  // resync: 10 s is skipped
  IntervalOptions future;
  future.start_at = at(12s);
  future.start_delay = 5s;  // overridden by start_at
  Interval early(driver.handle(), 1s, {}, future);
  EXPECT_EQ(early.next_tick(), at(12s));
  ASSERT_FALSE(early.reset());  // a reset restarts from now, as ever
  EXPECT_EQ(early.next_tick(), at(11s));
  IntervalOptions lazy;
  lazy.auto_start = false;
  lazy.start_at = at(12s);
  EXPECT_THROW(Interval(driver.handle(), 1s, {}, lazy), tickwheel::error);
}

TEST(Interval, ReportsDriftOfLateTick) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<IntervalTick> got;
  Interval every(driver.handle(), 100ms, SkipMissedAndResync{}, {},
                 [&](const IntervalTick& t) { got.push_back(t); });
  clock.set(at(137ms));
  driver.turn(0ns);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].scheduled, at(100ms));
  EXPECT_EQ(got[0].drift, 37ms);
  EXPECT_EQ(every.next_tick(), at(200ms));
}

TEST(Interval, SlowConsumerSeesItsDelayAsDrift) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s, SkipMissedAndResync{});
  driver.turn();  // the tick at 1 s is ready, nobody takes it yet
  EXPECT_TRUE(every.ready());
  clock.set(at(3500ms));  // the consumer is busy until 3.5 s
  driver.turn(0ns);
  IntervalTick t;
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, at(1s));
  EXPECT_EQ(t.drift, 2500ms);
  EXPECT_FALSE(every.ready());  // 2 s and 3 s are skipped
  EXPECT_EQ(every.next_tick(), at(4s));
}

TEST(Interval, IntervalBelowTheWheelTickIsRoundedUpToOneTick) {
  ManualClock clock;
  Driver driver(clock);
  ASSERT_EQ(driver.handle().tick(), 1ms);
  Interval every(driver.handle(), 10us);
  EXPECT_EQ(every.interval(), 1ms);
  EXPECT_EQ(every.next_tick(), at(1ms));
  EXPECT_FALSE(every.reset(1ns));
  EXPECT_EQ(every.interval(), 1ms);
  EXPECT_FALSE(every.reset(1500us));
  EXPECT_EQ(every.interval(), 1500us);  // longer ones are kept exactly
}

TEST(Interval, WaitOnTheDriversThreadTurnsTheDriver) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 250ms);
  IntervalTick t;
  for (int i = 1; i <= 4; ++i) {
    ASSERT_FALSE(every.wait(t));
    EXPECT_EQ(t.scheduled, at(i * 250ms));
    EXPECT_EQ(t.drift, 0s);
  }
  EXPECT_EQ(clock.now(), at(1s));
}

// ---- lifecycle ----------------------------------------------------------------------------

TEST(Interval, AutoStartOffStartsAtTheFirstWait) {
  ManualClock clock;
  Driver driver(clock);
  IntervalOptions o;
  o.auto_start = false;
  Interval every(driver.handle(), 1s, {}, o);
  EXPECT_FALSE(every.is_running());
  EXPECT_EQ(every.next_tick(), std::nullopt);
  driver.run_until(at(5s));  // nothing happens meanwhile
  IntervalTick t;
  EXPECT_EQ(every.consume(t), std::errc::operation_would_block);
  EXPECT_FALSE(every.is_running());
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(6s));
  EXPECT_EQ(t.number, 1u);
}

TEST(Interval, AutoStartOffStartsAtSubscribeOrReset) {
  ManualClock clock;
  Driver driver(clock);
  IntervalOptions o;
  o.auto_start = false;
  Interval pulled(driver.handle(), 1s, {}, o);
  RecordingWaiter w;
  EXPECT_TRUE(pulled.subscribe(&w));
  EXPECT_TRUE(pulled.is_running());
  int calls = 0;
  Interval pushed(driver.handle(), 1s, {}, o, [&](const IntervalTick&) { ++calls; });
  driver.run_until(at(3s));
  EXPECT_EQ(calls, 0);
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_EQ(w.results[0], std::error_code{});
  EXPECT_FALSE(pushed.reset());
  driver.run_until(at(5s));
  EXPECT_EQ(calls, 2);
}

TEST(Interval, StopTellsWaitersReceiverStoppedAndOnlyResetRestarts) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s);
  RecordingWaiter w;
  ASSERT_TRUE(every.subscribe(&w));
  every.stop();
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_EQ(w.results[0], errc::receiver_stopped);
  EXPECT_FALSE(every.is_running());
  EXPECT_EQ(every.next_tick(), std::nullopt);
  driver.run_until(at(5s));
  EXPECT_FALSE(every.ready());
  IntervalTick t;
  EXPECT_EQ(every.consume(t), errc::receiver_stopped);
  EXPECT_EQ(every.wait(t), errc::receiver_stopped);  // a wait does not restart it
  RecordingWaiter late;
  EXPECT_FALSE(every.subscribe(&late));
  every.stop();  // idempotent
  EXPECT_FALSE(every.reset());
  EXPECT_TRUE(every.is_running());
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(6s));
  EXPECT_EQ(t.number, 1u);
}

TEST(Interval, StopEndsCallbacks) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  Interval every(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) { ++calls; });
  driver.run_until(at(2s));
  every.stop();
  driver.run_until(at(10s));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Interval, ATickReadyBeforeStopIsDeliveredOnce) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s);
  driver.turn();
  ASSERT_TRUE(every.ready());
  every.stop();
  EXPECT_TRUE(every.ready());
  IntervalTick t;
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, at(1s));
  EXPECT_EQ(every.consume(t), errc::receiver_stopped);
  EXPECT_EQ(every.wait(t), errc::receiver_stopped);
}

TEST(Interval, ResetRestartsFromNowOptionallyWithNewIntervalAndDelay) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<IntervalTick> got;
  Interval every(driver.handle(), 1s, {}, {}, [&](const IntervalTick& t) { got.push_back(t); });
  driver.run_until(at(2500ms));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(every.reset());
  EXPECT_EQ(every.next_tick(), at(3500ms));
  EXPECT_FALSE(every.reset(300ms));
  EXPECT_EQ(every.next_tick(), at(2800ms));
  EXPECT_FALSE(every.reset(300ms, 1s));
  EXPECT_EQ(every.next_tick(), at(3800ms));
  EXPECT_EQ(every.start_delay(), 1s);
  driver.run_until(at(4100ms));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[2].scheduled, at(3800ms));
  EXPECT_EQ(got[2].number, 1u);  // counted from the restart
  EXPECT_EQ(got[3].scheduled, at(4100ms));
}

// The seed's reset(*, interval=None, start_delay=0): a restart from now
// forgets the constructor's start delay and first tick at start.
TEST(Interval, ResetFollowsItsOwnDefaultsNotTheConstructorsStartDelay) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o;
  o.start_delay = 500ms;
  std::vector<IntervalTick> got;
  Interval every(driver.handle(), 1s, {}, o, [&](const IntervalTick& t) { got.push_back(t); });
  EXPECT_EQ(every.next_tick(), at(11500ms));
  driver.run_until(at(12s));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(every.reset());
  EXPECT_EQ(every.start_delay(), 0s);
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.next_tick(), at(13s));
  driver.run_until(at(14s));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].scheduled, at(13s));
  EXPECT_EQ(got[1].number, 1u);
  EXPECT_EQ(got[2].scheduled, at(14s));
}

TEST(Interval, ResetFollowsItsOwnDefaultsNotTheConstructorsFirstTickAtStart) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o = first_tick_at_start();
  o.start_delay = 250ms;
  Interval every(driver.handle(), 1s, {}, o);
  EXPECT_EQ(every.next_tick(), at(10250ms));
  IntervalTick t;
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(10250ms));
  clock.set(at(10400ms));
  EXPECT_FALSE(every.reset());
  EXPECT_EQ(every.start_delay(), 0s);
  EXPECT_EQ(every.next_tick(), at(11400ms));  // one interval after the reset, not at it
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(11400ms));
  EXPECT_EQ(t.number, 1u);
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(12400ms));
}

TEST(Interval, ResetWithANewIntervalFollowsTheSameDefaults) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o = first_tick_at_start();
  o.start_delay = 3s;
  Interval every(driver.handle(), 1s, {}, o);
  EXPECT_EQ(every.next_tick(), at(13s));
  clock.set(at(10100ms));
  EXPECT_FALSE(every.reset(2s));
  EXPECT_EQ(every.interval(), 2s);
  EXPECT_EQ(every.start_delay(), 0s);
  EXPECT_EQ(every.next_tick(), at(12100ms));
}

TEST(Interval, ResetWithANewIntervalAndStartDelayUsesBoth) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o = first_tick_at_start();
  o.start_delay = 3s;
  Interval every(driver.handle(), 1s, {}, o);
  EXPECT_FALSE(every.reset(2s, 700ms));
  EXPECT_EQ(every.interval(), 2s);
  EXPECT_EQ(every.start_delay(), 700ms);
  EXPECT_EQ(every.next_tick(), at(12700ms));  // first_tick_at_start does not carry over
  EXPECT_FALSE(every.reset(2s, 0s));
  EXPECT_EQ(every.next_tick(), at(12s));
}

TEST(Interval, ResetOptionsDefaultsAreThoseOfPlainReset) {
  ManualClock clock(at(10s));
  Driver driver(clock);
  IntervalOptions o = first_tick_at_start();
  o.start_delay = 3s;
  Interval every(driver.handle(), 1s, {}, o);
  EXPECT_FALSE(every.reset(ResetOptions{}));
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.start_delay(), 0s);
  EXPECT_EQ(every.next_tick(), at(11s));
  // Only a start delay: the current interval is kept.
  EXPECT_FALSE(every.reset({.start_delay = 400ms}));
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.next_tick(), at(11400ms));
}

TEST(Interval, ResetWithFirstTickAtStartTicksAtTheResetInstant) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<IntervalTick> got;
  Interval every(driver.handle(), 1s, SkipMissedAndResync{}, {},
                 [&](const IntervalTick& t) { got.push_back(t); });
  driver.run_until(at(1s));
  ASSERT_EQ(got.size(), 1u);
  clock.set(at(1300ms));
  EXPECT_FALSE(every.reset({.first_tick_at_start = true}));
  EXPECT_EQ(every.next_tick(), at(1300ms));
  EXPECT_EQ(every.interval(), 1s);
  driver.turn(0ns);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].scheduled, at(1300ms));
  EXPECT_EQ(got[1].drift, 0s);
  EXPECT_EQ(got[1].number, 1u);
  driver.run_until(at(2300ms));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].scheduled, at(2300ms));
  EXPECT_EQ(got[2].number, 2u);

  // With a new interval and a start delay too: the first tick at now + delay.
  EXPECT_FALSE(every.reset({.interval = 250ms, .start_delay = 50ms, .first_tick_at_start = true}));
  EXPECT_EQ(every.interval(), 250ms);
  EXPECT_EQ(every.start_delay(), 50ms);
  EXPECT_EQ(every.next_tick(), at(2350ms));
  driver.run_until(at(2600ms));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[3].scheduled, at(2350ms));
  EXPECT_EQ(got[3].number, 1u);
  EXPECT_EQ(got[4].scheduled, at(2600ms));
}

TEST(Interval, ResetWithFirstTickAtStartMakesATickReadyForAConsumer) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s);
  clock.set(at(400ms));
  RecordingWaiter w;
  ASSERT_TRUE(every.subscribe(&w));
  EXPECT_FALSE(every.reset({.first_tick_at_start = true}));
  driver.turn(0ns);
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_EQ(w.results[0], std::error_code{});
  IntervalTick t;
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, at(400ms));
  EXPECT_EQ(t.drift, 0s);
  EXPECT_EQ(t.number, 1u);
  EXPECT_EQ(every.next_tick(), at(1400ms));
}

TEST(Interval, CallbackMayResetItsOwnIntervalToTickAtOnce) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<IntervalTick> got;
  Interval every;
  every = Interval(driver.handle(), 1s, {}, {}, [&](const IntervalTick& t) {
    got.push_back(t);
    if (got.size() == 1) (void)every.reset({.interval = 2s, .first_tick_at_start = true});
  });
  driver.run_until(at(3s));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].scheduled, at(1s));  // the restart's own first tick
  EXPECT_EQ(got[1].number, 1u);
  EXPECT_EQ(got[2].scheduled, at(3s));
}

TEST(Interval, ResetOptionsWithBadValuesAreRejectedAndChangeNothing) {
  ManualClock clock;
  Driver driver(clock);
  IntervalOptions o;
  o.start_delay = 200ms;
  Interval every(driver.handle(), 1s, {}, o);
  clock.set(at(500ms));
  EXPECT_EQ(every.reset({.interval = 0s, .first_tick_at_start = true}), errc::invalid_argument);
  EXPECT_EQ(every.reset({.interval = -1s}), errc::invalid_argument);
  EXPECT_EQ(every.reset({.start_delay = -1ns, .first_tick_at_start = true}),
            errc::invalid_argument);
  EXPECT_TRUE(every.is_running());
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.start_delay(), 200ms);
  EXPECT_EQ(every.next_tick(), at(1200ms));
  Interval empty;
  EXPECT_EQ(empty.reset({.first_tick_at_start = true}), errc::shutdown);
}

// auto_start off with a delay or a tick at start is rejected; reset() with
// options is how such a timer starts later with either.
TEST(Interval, AutoStartOffTimerStartsWithOptionsAtReset) {
  ManualClock clock;
  Driver driver(clock);
  IntervalOptions o;
  o.auto_start = false;
  Interval every(driver.handle(), 1s, {}, o);
  clock.set(at(5s));
  EXPECT_FALSE(every.reset({.start_delay = 300ms, .first_tick_at_start = true}));
  EXPECT_EQ(every.next_tick(), at(5300ms));
  IntervalTick t;
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(5300ms));
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(6300ms));
}

TEST(Interval, ResetDropsAReadyTick) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s);
  driver.turn();
  ASSERT_TRUE(every.ready());
  EXPECT_FALSE(every.reset());
  EXPECT_FALSE(every.ready());
  EXPECT_EQ(every.next_tick(), at(2s));
}

TEST(Interval, BadInputIsRejectedAndLeavesARunningTimerUnchanged) {
  ManualClock clock;
  Driver driver(clock);
  const auto rejects = [](auto make) {
    try {
      make();
      ADD_FAILURE() << "no exception";
    } catch (const tickwheel::error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
    }
  };
  rejects([&] { Interval(driver.handle(), 0s); });
  rejects([&] { Interval(driver.handle(), -1s); });
  IntervalOptions o;
  o.start_delay = -1ns;
  rejects([&] { Interval(driver.handle(), 1s, {}, o); });
  rejects([&] { Interval(driver.handle(), 1s, SkipMissedAndDrift{-1ms}); });

  Interval every(driver.handle(), 1s);
  driver.turn(0ns);
  EXPECT_EQ(every.reset(0s), errc::invalid_argument);
  EXPECT_EQ(every.reset(-5ms), errc::invalid_argument);
  EXPECT_EQ(every.reset(2s, -1ns), errc::invalid_argument);
  EXPECT_TRUE(every.is_running());
  EXPECT_EQ(every.interval(), 1s);
  EXPECT_EQ(every.start_delay(), 0s);
  EXPECT_EQ(every.next_tick(), at(1s));
  IntervalTick t;
  ASSERT_FALSE(every.wait(t));
  EXPECT_EQ(t.scheduled, at(1s));
}

// The seed: "auto_start must be true if a start delay is specified", and
// likewise for a first tick at start.
TEST(Interval, AutoStartOffWithAStartDelayOrFirstTickAtStartIsRejected) {
  ManualClock clock;
  Driver driver(clock);
  const auto rejects = [](auto make, const char* says) {
    try {
      make();
      ADD_FAILURE() << "no exception";
    } catch (const tickwheel::error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  IntervalOptions delayed;
  delayed.auto_start = false;
  delayed.start_delay = 1ns;
  rejects([&] { Interval(driver.handle(), 1s, {}, delayed); },
          "auto_start must be true if a start delay is specified");
  rejects([&] { Interval(driver.handle(), 1s, {}, delayed, [](const IntervalTick&) {}); },
          "auto_start must be true if a start delay is specified");
  IntervalOptions at_start;
  at_start.auto_start = false;
  at_start.first_tick_at_start = true;
  rejects([&] { Interval(driver.handle(), 1s, {}, at_start); },
          "auto_start must be true if first_tick_at_start is set");
  at_start.start_delay = 1s;
  rejects([&] { Interval(driver.handle(), 1s, {}, at_start); }, "auto_start must be true");

  // Either one alone with auto_start on, or auto_start off alone, is fine.
  IntervalOptions ok;
  ok.auto_start = false;
  EXPECT_NO_THROW(Interval(driver.handle(), 1s, {}, ok));
  delayed.auto_start = true;
  EXPECT_NO_THROW(Interval(driver.handle(), 1s, {}, delayed));
  at_start.auto_start = true;
  EXPECT_NO_THROW(Interval(driver.handle(), 1s, {}, at_start));
}

TEST(Interval, EmptyHandleAndEmptyIntervalReportShutdown) {
  try {
    Interval(tickwheel::Handle{}, 1s);
    ADD_FAILURE() << "no exception";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), errc::shutdown);
  }
  Interval empty;
  EXPECT_FALSE(empty);
  IntervalTick t;
  EXPECT_EQ(empty.consume(t), errc::shutdown);
  EXPECT_EQ(empty.wait(t), errc::shutdown);
  EXPECT_EQ(empty.reset(), errc::shutdown);
  EXPECT_FALSE(empty.is_running());
  empty.stop();
}

TEST(Interval, DestroyingTheDriverEndsItWithShutdown) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  Interval pulled(driver->handle(), 1s);
  int calls = 0;
  Interval pushed(driver->handle(), 1s, {}, {}, [&](const IntervalTick&) { ++calls; });
  RecordingWaiter w;
  ASSERT_TRUE(pulled.subscribe(&w));
  driver.reset();
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_EQ(w.results[0], errc::shutdown);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(pulled.is_running());
  EXPECT_FALSE(pushed.is_running());
  IntervalTick t;
  EXPECT_EQ(pulled.consume(t), errc::shutdown);
  EXPECT_EQ(pulled.wait(t), errc::shutdown);
  EXPECT_EQ(pulled.reset(), errc::shutdown);
  EXPECT_EQ(pushed.reset(), errc::shutdown);
}

TEST(Interval, ATickReadyWhenTheDriverGoesIsStillDelivered) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  Interval every(driver->handle(), 1s);
  driver->turn();
  driver.reset();
  IntervalTick t;
  ASSERT_FALSE(every.consume(t));
  EXPECT_EQ(t.scheduled, at(1s));
  EXPECT_EQ(every.consume(t), errc::shutdown);
}

TEST(Interval, DestroyingItStopsTicks) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  {
    Interval every(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) { ++calls; });
    driver.run_until(at(1s));
  }
  driver.run_until(at(5s));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Interval, MovedIntervalKeepsTicking) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  Interval a(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) { ++calls; });
  Interval b = std::move(a);
  driver.run_until(at(2s));
  EXPECT_EQ(calls, 2);
  Interval c(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) { calls += 100; });
  c = std::move(b);  // c's own timer is stopped
  driver.run_until(at(3s));
  EXPECT_EQ(calls, 3);
}

// ---- callbacks that act on their own interval -------------------------------------------

TEST(Interval, CallbackMayStopItsOwnInterval) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  Interval every;
  every = Interval(driver.handle(), 1s, {}, {}, [&](const IntervalTick& t) {
    ++calls;
    if (t.number == 3) every.stop();
  });
  driver.run_until(at(10s));
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(every.is_running());
}

TEST(Interval, CallbackMayResetItsOwnInterval) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<IntervalTick> got;
  Interval every;
  every = Interval(driver.handle(), 1s, {}, {}, [&](const IntervalTick& t) {
    got.push_back(t);
    if (got.size() == 1) (void)every.reset(5s);
  });
  driver.run_until(at(11s));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].scheduled, at(6s));
  EXPECT_EQ(got[2].scheduled, at(11s));
}

TEST(Interval, CallbackMayResetThenStopItsOwnInterval) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  Interval every;
  every = Interval(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) {
    ++calls;
    (void)every.reset(5s);
    every.stop();
  });
  driver.run_until(at(20s));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Interval, ThrowingCallbackKeepsTheSchedule) {
  ManualClock clock;
  Driver driver(clock);
  int calls = 0;
  Interval every(driver.handle(), 1s, {}, {}, [&](const IntervalTick&) {
    if (++calls == 1) throw std::runtime_error("first tick");
  });
  EXPECT_THROW(driver.run_until(at(1s)), std::runtime_error);
  EXPECT_TRUE(every.is_running());
  EXPECT_EQ(every.next_tick(), at(2s));
  driver.run_until(at(3s));
  EXPECT_EQ(calls, 3);
}

TEST(Interval, ConsumeAndWaitAreForIntervalsWithoutACallback) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s, {}, {}, [](const IntervalTick&) {});
  IntervalTick t;
  EXPECT_EQ(every.consume(t), errc::invalid_argument);
  EXPECT_EQ(every.wait(t), errc::invalid_argument);
  RecordingWaiter w;
  EXPECT_FALSE(every.subscribe(&w));
}

TEST(Interval, UnsubscribedWaiterIsNotTold) {
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s);
  RecordingWaiter w;
  ASSERT_TRUE(every.subscribe(&w));
  EXPECT_TRUE(every.unsubscribe(&w));
  EXPECT_FALSE(every.unsubscribe(&w));
  driver.turn();
  EXPECT_TRUE(w.results.empty());
  EXPECT_TRUE(every.ready());
  EXPECT_FALSE(every.subscribe(&w));  // a tick is ready: consume it
}

TEST(Interval, ThrowingPolicyEndsTheTimer) {
  struct Throws {
    [[nodiscard]] time_point next_tick(duration, time_point, time_point) const {
      throw std::runtime_error("no next tick");
    }
  };
  ManualClock clock;
  Driver driver(clock);
  Interval every(driver.handle(), 1s, Throws{});
  IntervalTick t;
  ASSERT_FALSE(every.wait(t));  // the tick itself is delivered
  EXPECT_FALSE(every.is_running());
  EXPECT_EQ(every.wait(t), errc::invalid_argument);
}
