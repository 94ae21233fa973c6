#include "tickwheel/timeout.hpp"

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Delay;
using tickwheel::Driver;
using tickwheel::errc;
using tickwheel::ManualClock;
using tickwheel::time_point;
using tickwheel::TimeoutStream;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

}  // namespace

TEST(Timeout, ReturnsAValueThatIsAlreadyReady) {
  ManualClock clock;
  Driver driver(clock);
  std::promise<int> p;
  auto f = p.get_future();
  p.set_value(4);
  auto r = tickwheel::timeout(driver.handle(), 1s, f);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(clock.now(), at(0s));
}

TEST(Timeout, ANegativeLimitStillGivesAReadyValueAndTimesOutOtherwise) {
  ManualClock clock;  // at its epoch: a negative limit must not land before it
  Driver driver(clock);
  std::promise<int> ready;
  auto f = ready.get_future();
  ready.set_value(7);
  auto r = tickwheel::timeout(driver.handle(), -1s, f);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 7);
  std::promise<int> never;
  auto g = never.get_future();
  EXPECT_EQ(tickwheel::timeout(driver.handle(), -1s, g).error(), errc::timed_out);
  EXPECT_EQ(clock.now(), at(0s));
}

TEST(Timeout, ReturnsTheValueWhenItComesInTime) {
  ManualClock clock;
  Driver driver(clock);
  std::promise<std::string> p;
  auto f = p.get_future();
  Delay op(driver.handle(), at(300ms), [&] { p.set_value("done"); });
  auto r = tickwheel::timeout_at(driver.handle(), at(1s), f);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "done");
  EXPECT_EQ(clock.now(), at(300ms));  // returned when the value came, not at the deadline
}

TEST(Timeout, TimesOutAtTheDeadlineNeverEarly) {
  ManualClock clock;
  Driver driver(clock);
  std::promise<int> p;
  auto f = p.get_future();
  Delay op(driver.handle(), at(2s), [&] { p.set_value(1); });
  auto r = tickwheel::timeout(driver.handle(), 1s, f);
  EXPECT_EQ(r.error(), errc::timed_out);
  EXPECT_EQ(clock.now(), at(1s));
  // The operation is still there to wait on.
  ASSERT_TRUE(f.valid());
  auto again = tickwheel::timeout(driver.handle(), 5s, f);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 1);
}

TEST(Timeout, AValueReadyAtTheDeadlineWins) {
  ManualClock clock;
  Driver driver(clock);
  std::promise<int> p;
  auto f = p.get_future();
  // The operation completes in the deadline's tick, after the timeout's own
  // timer was scheduled (so that timer fires first in the tick).
  std::optional<Delay> completion;
  Delay later(driver.handle(), at(500ms),
              [&] { completion.emplace(driver.handle(), at(1s), [&] { p.set_value(7); }); });
  auto r = tickwheel::timeout_at(driver.handle(), at(1s), f);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(clock.now(), at(1s));
}

TEST(Timeout, PassesTheOperationsErrorThrough) {
  ManualClock clock;
  Driver driver(clock);
  std::promise<int> p;
  auto f = p.get_future();
  p.set_exception(std::make_exception_ptr(
      std::system_error(std::make_error_code(std::errc::connection_refused))));
  EXPECT_EQ(tickwheel::timeout(driver.handle(), 1s, f).error(), std::errc::connection_refused);

  std::promise<void> v;
  auto fv = v.get_future();
  Delay op(driver.handle(), at(10ms), [&] { v.set_value(); });
  EXPECT_EQ(tickwheel::timeout(driver.handle(), 1s, fv), std::error_code{});

  std::promise<int> other;
  auto fo = other.get_future();
  other.set_exception(std::make_exception_ptr(std::runtime_error("boom")));
  EXPECT_THROW((void)tickwheel::timeout(driver.handle(), 1s, fo), std::runtime_error);
}

TEST(Timeout, BadInputAndAGoneDriver) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  const auto handle = driver->handle();
  std::future<int> invalid;
  EXPECT_EQ(tickwheel::timeout(handle, 1s, invalid).error(), errc::invalid_argument);
  std::promise<int> p;
  auto f = p.get_future();
  EXPECT_EQ(tickwheel::timeout(handle, std::chrono::duration<double>(std::nan("")), f).error(),
            errc::invalid_argument);
  EXPECT_EQ(tickwheel::timeout_at(handle, time_point{-1s}, f).error(), errc::invalid_argument);
  driver.reset();
  EXPECT_EQ(tickwheel::timeout(handle, 1s, f).error(), errc::shutdown);
  p.set_value(3);  // a ready value still wins
  EXPECT_EQ(*tickwheel::timeout(handle, 1s, f), 3);
}

TEST(TimeoutStream, AnIdleStreamTimesOutOncePerPeriod) {
  ManualClock clock;
  Driver driver(clock);
  TimeoutStream<int> s(driver.handle(), 1s);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(s.next().error(), errc::timed_out);
    EXPECT_EQ(clock.now(), at(std::chrono::seconds(i)));
  }
}

TEST(TimeoutStream, EveryItemReArmsThePeriod) {
  ManualClock clock;
  Driver driver(clock);
  TimeoutStream<int> s(driver.handle(), 1s);
  Delay first(driver.handle(), at(700ms), [&] { s.push(1); });
  Delay second(driver.handle(), at(1500ms), [&] { s.push(2); });
  auto r = s.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(clock.now(), at(700ms));
  r = s.next();  // 800 ms later: within the re-armed period
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(s.deadline(), at(2500ms));
  EXPECT_EQ(s.next().error(), errc::timed_out);
  EXPECT_EQ(clock.now(), at(2500ms));
  EXPECT_EQ(s.next().error(), errc::timed_out);
  EXPECT_EQ(clock.now(), at(3500ms));
}

TEST(TimeoutStream, CloseDrainsThenReportsClosed) {
  ManualClock clock;
  Driver driver(clock);
  TimeoutStream<std::string> s(driver.handle(), 1s);
  EXPECT_TRUE(s.push("a"));
  s.close();
  EXPECT_FALSE(s.push("b"));
  EXPECT_EQ(*s.next(), "a");
  EXPECT_EQ(s.next().error(), errc::closed);
  EXPECT_THROW(TimeoutStream<int>(driver.handle(), 0s), tickwheel::error);
}

TEST(TimeoutStream, ShutdownWhenTheDriverIsGone) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  TimeoutStream<int> s(driver->handle(), 1s);
  driver.reset();
  EXPECT_EQ(s.next().error(), errc::shutdown);
}

TEST(TimeoutPromise, ACallbackCompletionInTimeIsTheResult) {
  ManualClock clock;
  Driver driver(clock);
  tickwheel::TimeoutPromise<int> p(driver.handle(), 1s);
  Delay op(driver.handle(), at(400ms), [&] { EXPECT_TRUE(p.set_value(9)); });
  auto r = p.wait();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 9);
  EXPECT_EQ(clock.now(), at(400ms));
  EXPECT_EQ(p.wait().error(), errc::invalid_argument);  // once
  EXPECT_FALSE(p.set_value(1));
}

TEST(TimeoutPromise, ACompletionInTheDeadlinesTurnWins) {
  ManualClock clock;
  Driver driver(clock);
  tickwheel::TimeoutPromise<int> p(driver.handle(), at(1s));
  std::optional<Delay> completion;
  // Scheduled after the promise's own timer, in the same tick.
  Delay later(driver.handle(), at(500ms),
              [&] { completion.emplace(driver.handle(), at(1s), [&] { p.set_value(3); }); });
  auto r = p.wait();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, 3);
}

TEST(TimeoutPromise, TimesOutThenRefusesALateValue) {
  ManualClock clock;
  Driver driver(clock);
  tickwheel::TimeoutPromise<std::string> p(driver.handle(), 1s);
  EXPECT_EQ(p.wait().error(), errc::timed_out);
  EXPECT_EQ(clock.now(), at(1s));
  EXPECT_FALSE(p.set_value("late"));
}

TEST(TimeoutPromise, PassesTheOperationsErrorAndReportsShutdown) {
  ManualClock clock;
  auto driver = std::make_unique<Driver>(clock);
  tickwheel::TimeoutPromise<int> failed(driver->handle(), 1s);
  EXPECT_FALSE(failed.set_error({}));
  EXPECT_TRUE(failed.set_error(std::make_error_code(std::errc::host_unreachable)));
  EXPECT_EQ(failed.wait().error(), std::errc::host_unreachable);
  tickwheel::TimeoutPromise<int> orphan(driver->handle(), 1s);
  driver.reset();
  EXPECT_EQ(orphan.wait().error(), errc::shutdown);
}
