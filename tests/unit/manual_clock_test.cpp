#include "tickwheel/manual_clock.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

TEST(ManualClock, StartsWhereToldAndAdvances) {
  tickwheel::ManualClock clock(tickwheel::time_point{5s});
  EXPECT_EQ(clock.now(), tickwheel::time_point{5s});
  clock.advance(1500ms);
  EXPECT_EQ(clock.now(), tickwheel::time_point{6500ms});
}

TEST(ManualClock, NeverGoesBackwards) {
  tickwheel::ManualClock clock(tickwheel::time_point{5s});
  EXPECT_FALSE(clock.set(tickwheel::time_point{4s}));
  clock.advance(-3s);
  EXPECT_EQ(clock.now(), tickwheel::time_point{5s});
  EXPECT_TRUE(clock.set(tickwheel::time_point{7s}));
  EXPECT_EQ(clock.now(), tickwheel::time_point{7s});
}

TEST(ManualClock, AdvanceSaturates) {
  tickwheel::ManualClock clock;
  clock.advance(std::chrono::hours::max());
  EXPECT_EQ(clock.now().time_since_epoch(), tickwheel::duration::max());
}
