// File: Throttle, which lets items through no faster than one per period.
//
// The first item passes at once; each later one passes at the later of its
// own arrival and one period after the previous item passed. So a burst
// comes out evenly spaced, and an item after a long quiet spell is not held
// back. On a ManualClock driver the spacing is exact.
#pragma once

#include <chrono>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/error.hpp"

namespace tickwheel {

/// A rate gate: acquire() returns when the next item may pass.
///
/// Thread safety: none; one thread owns a Throttle (the driver it waits on
/// may run on another thread). A period of zero lets every item through at
/// once. Errors: the constructor throws tickwheel::error(errc::invalid_argument)
/// for a negative or NaN period.
/// acquire() reports errc::shutdown when it has to wait and the driver is
/// gone; an item that may pass at once needs no driver.
class Throttle {
 public:
  template <class Rep, class Period>
  Throttle(const Handle& handle, std::chrono::duration<Rep, Period> period)
      : handle_(handle), period_(checked_nanoseconds(period)) {
    if (period_ < duration::zero()) {
      throw error(errc::invalid_argument, "tickwheel::Throttle: the period must be >= 0");
    }
  }

  /// True (and the period starts now) if an item may pass now; otherwise
  /// false and nothing changes. Never blocks.
  bool try_acquire();

  /// Blocks until an item may pass and takes its turn. On the driver's
  /// thread it turns the driver meanwhile. Must not be called from a timer
  /// callback.
  std::error_code acquire();

  /// Waits its turn (as acquire()) and then calls `f()`; the error instead if
  /// the turn could not be had.
  template <class F>
  std::error_code pass(F&& f) {
    if (const std::error_code ec = acquire()) return ec;
    std::forward<F>(f)();
    return {};
  }

  /// When the next item may pass (at or before now: at once).
  [[nodiscard]] time_point ready_at() const noexcept { return next_; }
  [[nodiscard]] duration period() const noexcept { return period_; }

 private:
  Handle handle_;
  duration period_;
  time_point next_ = time_point::min();  // the first item passes at once
  Delay wake_;
};

}  // namespace tickwheel
