#include "format.hpp"

#include <gtest/gtest.h>

#include "tickwheel/parse_duration.hpp"

using namespace std::chrono_literals;
using tickwheel::cli::format_drift;
using tickwheel::cli::format_offset;
using tickwheel::cli::format_short;

TEST(Format, ShortDurationsUseTheLargestExactUnit) {
  EXPECT_EQ(format_short(0s), "0s");
  EXPECT_EQ(format_short(2s), "2s");
  EXPECT_EQ(format_short(90s), "1m30s");
  EXPECT_EQ(format_short(1h), "1h");
  EXPECT_EQ(format_short(5430s), "1h30m30s");
  EXPECT_EQ(format_short(500ms), "500ms");
  EXPECT_EQ(format_short(250us), "250us");
  EXPECT_EQ(format_short(7ns), "7ns");
  EXPECT_EQ(format_short(1500ms), "1.5s");
  EXPECT_EQ(format_short(1s + 1ns), "1.000000001s");
  EXPECT_EQ(format_short(-2s), "-2s");
  EXPECT_EQ(format_short(tickwheel::duration::min()), "-9223372036.854775808s");
}

TEST(Format, ShortDurationsReadBackToTheSameValue) {
  for (const tickwheel::duration d :
       {tickwheel::duration(2s), tickwheel::duration(5430s), tickwheel::duration(500ms),
        tickwheel::duration(1500ms), tickwheel::duration(250us), tickwheel::duration(7ns)}) {
    EXPECT_EQ(tickwheel::parse_duration(format_short(d)).to_duration(), d) << format_short(d);
  }
}

TEST(Format, ReportOffsetsAndDrifts) {
  EXPECT_EQ(format_offset(3s), "+3.000s");
  EXPECT_EQ(format_offset(100ms + 999us), "+0.100s");
  EXPECT_EQ(format_offset(-250ms), "-0.250s");
  EXPECT_EQ(format_drift(1200us), "1.2ms");
  EXPECT_EQ(format_drift(0ns), "0.0ms");
  EXPECT_EQ(format_drift(1500ms + 99us), "1500.0ms");
}
