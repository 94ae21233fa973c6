// File: free functions on this thread's current driver (the one made current
// by Driver::enter() or Handle::enter()): delay, delay_until, sleep_for,
// sleep_until. Outside any such scope they throw
// tickwheel::error(errc::no_driver) instead of guessing a driver.
#pragma once

#include <chrono>

#include "tickwheel/chrono.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"

namespace tickwheel {

/// A Delay armed for `deadline` on the current driver, without a callback
/// (wait on it, take its future or subscribe). Throws tickwheel::error:
/// no_driver outside a scope, shutdown if that driver is gone,
/// invalid_argument for a deadline before the clock's epoch. A past deadline
/// returns at once.
[[nodiscard]] inline Delay delay_until(time_point deadline) {
  return Delay(Handle::current(), deadline);
}

/// A Delay armed `d` after the current driver's clock now; a negative `d`
/// is already due. Throws as delay_until, and invalid_argument for a NaN or
/// overflowing floating duration.
template <class Rep, class Period>
[[nodiscard]] Delay delay(std::chrono::duration<Rep, Period> d) {
  return Delay::after(Handle::current(), d);
}

/// Blocks until the current driver's clock reaches `deadline` (never
/// earlier). On the driver's own thread it turns the driver meanwhile, so
/// other timers keep firing; elsewhere it sleeps until the driver fires it.
/// Throws tickwheel::error as delay_until, and shutdown if the driver goes
/// away while sleeping. Must not be called from a timer callback.
void sleep_until(time_point deadline);

/// sleep_until(now + d) on the current driver's clock.
template <class Rep, class Period>
void sleep_for(std::chrono::duration<Rep, Period> d) {
  const Handle h = Handle::current();
  sleep_until(deadline_after(h.now(), checked_nanoseconds(d)));
}

}  // namespace tickwheel
