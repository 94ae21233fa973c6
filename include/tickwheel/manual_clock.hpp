// File: ManualClock, virtual time that moves only when told to.
//
// Every test of time in tickwheel runs on it, and users can do the same in
// their own tests: time is set or advanced explicitly, so hours of timers run
// in microseconds and every run is identical.
#pragma once

#include <atomic>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"

namespace tickwheel {

/// A clock whose time changes only through set() and advance().
///
/// Thread safety: all members may be called concurrently (the reading is an
/// atomic). Time never goes backwards: set() to an earlier point is ignored
/// and reported as false, because a steady clock that jumps back would break
/// the never-early contract of everything reading it.
class ManualClock {
 public:
  /// Starts at `start` (the steady epoch by default).
  explicit ManualClock(time_point start = time_point{}) noexcept : ns_(count(start)) {}

  [[nodiscard]] time_point now() const noexcept {
    return time_point{duration{ns_.load(std::memory_order_acquire)}};
  }

  /// Moves time forward to `t`; returns false if `t` is earlier than now.
  bool set(time_point t) noexcept {
    const auto target = count(t);
    auto cur = ns_.load(std::memory_order_relaxed);
    while (cur <= target) {
      if (ns_.compare_exchange_weak(cur, target, std::memory_order_acq_rel)) return true;
    }
    return false;
  }

  /// Moves time forward by `d` (saturating); a negative `d` is ignored.
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    const duration step = checked_nanoseconds(d);
    if (step <= duration::zero()) return;
    auto cur = ns_.load(std::memory_order_relaxed);
    while (!ns_.compare_exchange_weak(cur, detail::sat_add(cur, step.count()),
                                      std::memory_order_acq_rel)) {
    }
  }

 private:
  static std::int64_t count(time_point t) noexcept { return t.time_since_epoch().count(); }
  std::atomic<std::int64_t> ns_;
};

static_assert(Now<ManualClock>);

}  // namespace tickwheel
