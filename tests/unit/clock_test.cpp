#include "tickwheel/clock.hpp"

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;

namespace {

struct CoarseClock {
  tickwheel::time_point now() const noexcept { return tickwheel::time_point{42s}; }
  tickwheel::duration resolution() const noexcept { return 1s; }
};

}  // namespace

TEST(ClockRef, DefaultReadsTheSteadyClock) {
  const tickwheel::ClockRef clock;
  EXPECT_TRUE(clock.is_steady());
  const auto before = std::chrono::steady_clock::now();
  const auto read = clock.now();
  EXPECT_LE(before, read);
  EXPECT_LE(read, std::chrono::steady_clock::now());
  EXPECT_GT(clock.resolution(), tickwheel::duration::zero());
}

TEST(ClockRef, FollowsAManualClock) {
  tickwheel::ManualClock manual(tickwheel::time_point{10s});
  const tickwheel::ClockRef clock(manual);
  EXPECT_FALSE(clock.is_steady());
  EXPECT_EQ(clock.now(), tickwheel::time_point{10s});
  manual.advance(250ms);
  EXPECT_EQ(clock.now(), tickwheel::time_point{10250ms});
  EXPECT_EQ(clock.resolution(), tickwheel::duration{1});
}

TEST(ClockRef, ReportsADeclaredResolution) {
  const CoarseClock coarse;
  const tickwheel::ClockRef clock(coarse);
  EXPECT_EQ(clock.now(), tickwheel::time_point{42s});
  EXPECT_EQ(clock.resolution(), 1s);
}
