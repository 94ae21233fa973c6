// File (private): the operations every driver-made timer shares on its
// TimerEntry: arming (and re-arming) for a deadline, cancelling, and telling
// the driver about it the cheapest way that keeps the wheel correct.
#pragma once

#include <system_error>

#include "tickwheel/chrono.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/driver.hpp"

namespace tickwheel::detail {

/// Arms `e` for `deadline`, whether it is pending, running its callback or
/// complete. errc::invalid_argument for a deadline before the clock's
/// epoch, errc::shutdown if the driver is gone, errc::at_capacity beyond the
/// driver's max_timers. Any thread.
std::error_code arm(TimerEntry& e, time_point deadline);

/// Cancels a pending `e`: true if its callback has not started and never
/// will; waiters are told errc::cancelled. Any thread, never blocks.
bool cancel(TimerEntry& e) noexcept;

/// The driver of `e` if this is its thread and it is alive, else null.
Driver* local_driver(const TimerEntry& e) noexcept;

[[nodiscard]] inline time_point as_time(std::int64_t ns) noexcept {
  return time_point{duration{ns}};
}

}  // namespace tickwheel::detail
