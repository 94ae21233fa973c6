#include "tickwheel/version.hpp"

#include <string>

#include <gtest/gtest.h>

TEST(Version, StringIsBuiltFromTheNumbers) {
  const std::string expected = std::to_string(TICKWHEEL_VERSION_MAJOR) + "." +
                               std::to_string(TICKWHEEL_VERSION_MINOR) + "." +
                               std::to_string(TICKWHEEL_VERSION_PATCH);
  EXPECT_EQ(TICKWHEEL_VERSION, expected);
}

TEST(Version, MatchesTheCMakeProjectVersion) {
  EXPECT_STREQ(TICKWHEEL_VERSION, TICKWHEEL_TEST_PROJECT_VERSION);
}
