// File: sleeping on a driver through one reusable Delay, for the timer types
// that are not driver timers themselves (DelayQueue, Throttle).
#pragma once

#include <system_error>

#include "tickwheel/chrono.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"

namespace tickwheel::detail {

/// Blocks until `deadline` on `handle`'s driver, reusing `wake` (created on
/// first use). {} once it passed; errc::shutdown if the driver is gone.
std::error_code sleep_until(const Handle& handle, Delay& wake, time_point deadline);
/// Arms `wake` for `deadline` and registers `w` for it.
bool wake_at(const Handle& handle, Delay& wake, time_point deadline, Waiter* w) noexcept;

}  // namespace tickwheel::detail
