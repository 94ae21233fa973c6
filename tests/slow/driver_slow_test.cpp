// The real clock, for real: a few tests with generous bounds that guard the
// paths ManualClock cannot (condition-variable and epoll sleeps, wake-ups).
#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/epoll_park.hpp"
#include "tickwheel/sleep.hpp"

using namespace std::chrono_literals;

namespace {

enum class ParkKind { condvar, epoll };

std::unique_ptr<tickwheel::Park> make_park(ParkKind kind) {
  if (kind == ParkKind::epoll) return std::make_unique<tickwheel::EpollPark>();
  return std::make_unique<tickwheel::CondvarPark>();
}

class RealClock : public ::testing::TestWithParam<ParkKind> {};

// Runs a driver on its own thread for `how_long`, with `setup` scheduling
// timers first; returns the park's wake-up count.
template <class Setup>
std::uint64_t wakeups_while_idle(ParkKind kind, std::chrono::milliseconds how_long, Setup setup) {
  auto park = make_park(kind);
  tickwheel::Park* p = park.get();
  tickwheel::Driver driver(tickwheel::ClockRef{}, std::move(park));
  [[maybe_unused]] auto keep = setup(driver.handle());  // timers live until the end
  std::thread loop([&] { driver.run(); });
  std::this_thread::sleep_for(how_long);
  const std::uint64_t seen = p->wakeups();
  driver.stop();
  loop.join();
  return seen;
}

}  // namespace

TEST_P(RealClock, ADelayFiresAfterItsDurationNotLongAfter) {
  tickwheel::Driver driver(tickwheel::ClockRef{}, make_park(GetParam()));
  const auto start = std::chrono::steady_clock::now();
  auto d = tickwheel::Delay::after(driver.handle(), 20ms);
  EXPECT_EQ(d.wait(), std::error_code{});  // drives the driver on this thread
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 20ms);
  EXPECT_LT(took, 2s);
}

TEST_P(RealClock, AnIdleDriverNeverWakesUp) {
  EXPECT_EQ(wakeups_while_idle(GetParam(), 1000ms, [](const tickwheel::Handle&) { return 0; }), 0u);
}

TEST_P(RealClock, ATimerAnHourOutCausesNoWakeUpWithinASecond) {
  EXPECT_EQ(wakeups_while_idle(GetParam(), 1000ms,
                               [](const tickwheel::Handle& h) {
                                 return std::make_unique<tickwheel::Delay>(h, h.now() + 1h);
                               }),
            0u);
}

INSTANTIATE_TEST_SUITE_P(Parks, RealClock, ::testing::Values(ParkKind::condvar, ParkKind::epoll),
                         [](const auto& param_info) {
                           return param_info.param == ParkKind::epoll ? "Epoll" : "Condvar";
                         });

TEST(RealClockSleep, SleepForFromAnotherThreadOfADriverThread) {
  tickwheel::DriverThread driver;
  const auto scope = driver.handle().enter();
  const auto start = std::chrono::steady_clock::now();
  tickwheel::sleep_for(20ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 20ms);
  EXPECT_LT(took, 2s);
}
