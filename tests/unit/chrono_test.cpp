#include "tickwheel/chrono.hpp"

#include <limits>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tickwheel::duration;

TEST(Chrono, IntegerConversionRoundsUp) {
  duration out{};
  ASSERT_TRUE(tickwheel::to_nanoseconds(std::chrono::duration<long long, std::pico>(1500), out));
  EXPECT_EQ(out, 2ns);
  ASSERT_TRUE(tickwheel::to_nanoseconds(std::chrono::duration<long long, std::pico>(-1500), out));
  EXPECT_EQ(out, -1ns);
}

TEST(Chrono, IntegerConversionSaturates) {
  duration out{};
  ASSERT_TRUE(tickwheel::to_nanoseconds(std::chrono::hours::max(), out));
  EXPECT_EQ(out, duration::max());
  ASSERT_TRUE(tickwheel::to_nanoseconds(std::chrono::hours::min(), out));
  EXPECT_EQ(out, duration::min());
}

TEST(Chrono, FloatingConversionRejectsNanAndOverflow) {
  duration out{};
  EXPECT_FALSE(tickwheel::to_nanoseconds(
      std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()), out));
  EXPECT_FALSE(tickwheel::to_nanoseconds(std::chrono::duration<double>(1e300), out));
  EXPECT_FALSE(tickwheel::to_nanoseconds(
      std::chrono::duration<double>(std::numeric_limits<double>::infinity()), out));
  ASSERT_TRUE(tickwheel::to_nanoseconds(std::chrono::duration<double>(1.5e-9), out));
  EXPECT_EQ(out, 2ns);
  EXPECT_THROW((void)tickwheel::checked_nanoseconds(
                   std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())),
               std::system_error);
}

TEST(Chrono, SaturatingAddStopsAtTheEnds) {
  const tickwheel::time_point far{duration::max() - 1ns};
  EXPECT_EQ(tickwheel::saturating_add(far, 1h).time_since_epoch(), duration::max());
}

TEST(Error, CategoryNamesTickwheel) {
  const std::error_code ec = tickwheel::errc::shutdown;
  EXPECT_STREQ(ec.category().name(), "tickwheel");
  EXPECT_EQ(ec.message(), "timer driver shut down");
  const tickwheel::error e(tickwheel::errc::invalid_argument, "bad");
  EXPECT_EQ(e.code(), tickwheel::errc::invalid_argument);
}
