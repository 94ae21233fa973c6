// File: the version of tickwheel, its one source of truth. The top-level
// CMakeLists.txt parses the three numbers below, so the CMake package, the
// pkg-config file, the library's SOVERSION and the code always agree.
#pragma once

#define TICKWHEEL_VERSION_MAJOR 0
#define TICKWHEEL_VERSION_MINOR 1
#define TICKWHEEL_VERSION_PATCH 0

/// The version as a string literal, "MAJOR.MINOR.PATCH", built from the numbers above.
#define TICKWHEEL_VERSION                                                           \
  TICKWHEEL_DETAIL_VERSION_STRING(TICKWHEEL_VERSION_MAJOR, TICKWHEEL_VERSION_MINOR, \
                                  TICKWHEEL_VERSION_PATCH)

// Two levels so the arguments are expanded before they are stringized.
#define TICKWHEEL_DETAIL_VERSION_STRING(major, minor, patch) \
  TICKWHEEL_DETAIL_VERSION_STRING_(major, minor, patch)
#define TICKWHEEL_DETAIL_VERSION_STRING_(major, minor, patch) #major "." #minor "." #patch
