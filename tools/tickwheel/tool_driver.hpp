// File: the driver options both subcommands use.
#pragma once

#include <chrono>

#include "tickwheel/driver.hpp"

namespace tickwheel::cli {

// A 1 µs tick instead of the library's 1 ms: a command-line tool arms a
// handful of timers, so the wheel's cost does not matter, but a 1 ms tick
// would show up as up to 1 ms of drift in every `every --report` line. Six
// levels of 256 slots span 2^48 µs (about 9 years) before the overflow list.
[[nodiscard]] inline DriverOptions tool_driver_options() {
  DriverOptions options;
  options.geometry = WheelGeometry{std::chrono::microseconds(1), 6, 8};
  return options;
}

}  // namespace tickwheel::cli
