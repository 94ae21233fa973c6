#include "tickwheel/delay.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Delay;
using tickwheel::Driver;
using tickwheel::ManualClock;
using tickwheel::time_point;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

struct RecordingWaiter final : tickwheel::detail::Waiter {
  void complete(std::error_code ec) noexcept override { results.push_back(ec); }
  std::vector<std::error_code> results;
};

}  // namespace

TEST(Delay, FiresOnceAtItsDeadlineNeverEarly) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  Delay d(driver.handle(), at(250ms), [&] { ++fired; });
  EXPECT_TRUE(d.pending());
  EXPECT_EQ(d.deadline(), at(250ms));
  driver.run_until(at(249ms));
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(d.is_elapsed());
  driver.run_until(at(10s));
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(d.is_elapsed());
  EXPECT_EQ(d.result(), std::error_code{});
  EXPECT_FALSE(d.pending());
}

TEST(Delay, AfterIsRelativeToTheDriversClock) {
  ManualClock clock(at(1h));
  Driver driver(clock);
  auto d = Delay::after(driver.handle(), 30s);
  EXPECT_EQ(d.deadline(), at(1h + 30s));
  EXPECT_THROW((void)Delay::after(driver.handle(), std::chrono::duration<double>(std::nan(""))),
               tickwheel::error);
}

TEST(Delay, CallbackWithErrorCodeSeesEveryOutcome) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<std::error_code> seen;
  Delay ok(driver.handle(), at(1s), [&](std::error_code ec) { seen.push_back(ec); });
  Delay cancelled(driver.handle(), at(1s), [&](std::error_code ec) { seen.push_back(ec); });
  EXPECT_TRUE(cancelled.cancel());
  EXPECT_FALSE(cancelled.cancel());
  driver.run_until_idle();
  // A cancelled delay's callback does not run: cancel()'s result says it all.
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::error_code{});
  EXPECT_EQ(cancelled.result(), tickwheel::make_error_code(tickwheel::errc::cancelled));
}

TEST(Delay, ResetBeforeAndAfterCompletion) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  Delay d(driver.handle(), at(10s), [&] { ++fired; });
  EXPECT_FALSE(d.reset(at(2s)));  // earlier
  driver.turn();
  EXPECT_EQ(clock.now(), at(2s));
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(d.reset(at(5s)));  // re-arm after completion
  EXPECT_TRUE(d.pending());
  driver.turn();
  EXPECT_EQ(clock.now(), at(5s));
  EXPECT_EQ(fired, 2);
  EXPECT_TRUE(d.cancel() == false);
  EXPECT_FALSE(d.reset(at(9s)));
  EXPECT_TRUE(d.cancel());
  EXPECT_FALSE(d.reset(at(8s)));  // re-arm after cancel
  driver.run_until_idle();
  EXPECT_EQ(fired, 3);
  EXPECT_EQ(clock.now(), at(8s));
}

TEST(Delay, ANegativeDurationIsDueAtTheNextTurn) {
  ManualClock clock;  // at its epoch: a negative duration must not land before it
  Driver driver(clock);
  int fired = 0;
  Delay a = Delay::after(driver.handle(), -5ms, [&] { ++fired; });
  Delay b(driver.handle(), clock.now(), [&] { ++fired; });
  Delay c(driver.handle(), at(1s), [&] { ++fired; });
  EXPECT_FALSE(c.reset_after(-1s));
  EXPECT_EQ(c.deadline(), at(0s));
  driver.turn();
  EXPECT_EQ(fired, 3);
  EXPECT_EQ(clock.now(), at(0s));  // nothing waited
  EXPECT_TRUE(a.is_elapsed() && b.is_elapsed() && c.is_elapsed());
}

TEST(Delay, ADeadlineBeforeTheEpochOrANaNDurationIsRejected) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(1s));
  EXPECT_EQ(d.reset(time_point{-1ns}), tickwheel::errc::invalid_argument);
  EXPECT_EQ(d.reset_after(std::chrono::duration<double>(std::nan(""))),
            tickwheel::errc::invalid_argument);
  EXPECT_EQ(d.deadline(), at(1s));  // unchanged
  EXPECT_THROW(Delay(driver.handle(), time_point{-1s}), tickwheel::error);
}

TEST(Delay, DestroyingCancelsAndDetachLetsItRun) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  {
    Delay d(driver.handle(), at(1s), [&] { fired += 1; });
  }
  {
    Delay d(driver.handle(), at(1s), [&] { fired += 10; });
    d.detach();
    EXPECT_FALSE(d);
  }
  driver.run_until_idle();
  EXPECT_EQ(fired, 10);
}

TEST(Delay, MoveAssignmentCancelsTheOldTimer) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  Delay d(driver.handle(), at(1s), [&] { fired += 1; });
  d = Delay(driver.handle(), at(2s), [&] { fired += 10; });
  driver.run_until_idle();
  EXPECT_EQ(fired, 10);
}

TEST(Delay, FutureIsReadyAtTheDeadlineOrCarriesTheError) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(1s));
  auto f = d.get_future();
  EXPECT_EQ(f.wait_for(0s), std::future_status::timeout);
  driver.turn();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  EXPECT_NO_THROW(f.get());

  Delay c(driver.handle(), at(5s));
  auto g = c.get_future();
  EXPECT_TRUE(c.cancel());
  try {
    g.get();
    FAIL() << "cancelled future became a value";
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::cancelled);
  }
  auto late = d.get_future();  // already complete: ready at once
  EXPECT_NO_THROW(late.get());
}

TEST(Delay, WaitOnTheDriversThreadDrivesIt) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(3h));
  EXPECT_EQ(d.wait(), std::error_code{});
  EXPECT_EQ(clock.now(), at(3h));
}

TEST(Delay, WaitersAreToldOnceAndCanBeTakenBack) {
  ManualClock clock;
  Driver driver(clock);
  Delay d(driver.handle(), at(1s));
  RecordingWaiter w1;
  RecordingWaiter w2;
  EXPECT_TRUE(d.subscribe(&w1));
  EXPECT_TRUE(d.subscribe(&w2));
  EXPECT_TRUE(d.handle().alive());
  driver.turn();
  EXPECT_EQ(w1.results, (std::vector<std::error_code>{{}}));
  EXPECT_EQ(w2.results, (std::vector<std::error_code>{{}}));
  RecordingWaiter late;
  EXPECT_FALSE(d.subscribe(&late));  // complete: refused, never told
  EXPECT_TRUE(late.results.empty());
}

TEST(Delay, CallbackMayResetItsOwnDelay) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<time_point> fired_at;
  Delay d;
  d = Delay(driver.handle(), at(1s), [&] {
    fired_at.push_back(clock.now());
    if (fired_at.size() < 3) (void)d.reset(clock.now() + 1s);
  });
  driver.run_until_idle();
  EXPECT_EQ(fired_at, (std::vector<time_point>{at(1s), at(2s), at(3s)}));
}

// Every sequence of re-arms and cancels inside the callback leaves one
// outcome and one wheel reference: the entry is settled once, after the
// callback, never by the calls made inside it.
TEST(Delay, CallbackMayReArmAndCancelItsOwnDelay) {
  ManualClock clock;
  Driver driver(clock);
  int fired = 0;
  Delay d;
  d = Delay(driver.handle(), at(1s), [&] {
    ++fired;
    EXPECT_FALSE(d.reset(clock.now() + 1s));
    EXPECT_TRUE(d.cancel());
  });
  driver.run_until(at(10s));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(d.result(), tickwheel::errc::cancelled);
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Delay, CallbackMayCancelThenReArmItsOwnDelay) {
  ManualClock clock;
  Driver driver(clock);
  std::vector<time_point> fired_at;
  Delay d;
  d = Delay(driver.handle(), at(1s), [&] {
    fired_at.push_back(clock.now());
    if (fired_at.size() > 1) return;
    EXPECT_FALSE(d.reset(clock.now() + 1s));
    EXPECT_TRUE(d.cancel());
    EXPECT_FALSE(d.reset(clock.now() + 2s));
  });
  driver.run_until(at(10s));
  EXPECT_EQ(fired_at, (std::vector<time_point>{at(1s), at(3s)}));
  EXPECT_EQ(driver.outstanding(), 0u);
}

TEST(Delay, EmptyDelayReportsShutdownAndIsHarmless) {
  Delay d;
  EXPECT_FALSE(d);
  EXPECT_FALSE(d.pending());
  EXPECT_FALSE(d.is_elapsed());
  EXPECT_FALSE(d.cancel());
  EXPECT_EQ(d.reset(at(1s)), tickwheel::errc::shutdown);
  EXPECT_EQ(d.wait(), tickwheel::errc::shutdown);
  EXPECT_THROW(Delay(tickwheel::Handle{}, at(1s)), tickwheel::error);
}
