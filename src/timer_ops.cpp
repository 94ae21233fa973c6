#include "timer_ops.hpp"

namespace tickwheel::detail {

Driver* local_driver(const TimerEntry& e) noexcept {
  DriverCore* core = e.core();
  if (!core->on_driver_thread()) return nullptr;
  return core->driver.load(std::memory_order_acquire);
}

std::error_code arm(TimerEntry& e, time_point deadline) {
  const std::int64_t ns = deadline.time_since_epoch().count();
  if (ns < 0) return make_error_code(errc::invalid_argument);
  DriverCore& core = *e.core();
  if (!core.alive()) return make_error_code(errc::shutdown);

  std::int64_t old = e.state.load(std::memory_order_acquire);
  bool counted = false;  // took a max_timers slot for a re-arm from rest
  for (;;) {
    if (old == entry_shutdown) {
      if (counted) core.release_slot();
      return make_error_code(errc::shutdown);
    }
    const bool at_rest = old < 0 && old != entry_firing;
    if (at_rest && !counted) {
      if (!core.acquire_slot()) return make_error_code(errc::at_capacity);
      counted = true;
    }
    if (!at_rest && counted) {  // it was re-armed by someone else meanwhile
      core.release_slot();
      counted = false;
    }
    e.armed_for.store(ns, std::memory_order_relaxed);
    if (e.state.compare_exchange_weak(old, ns, std::memory_order_seq_cst,
                                      std::memory_order_acquire)) {
      break;
    }
  }

  if (Driver* driver = local_driver(e)) {
    driver->sync(e);  // straight to the wheel
    return {};
  }
  // Another thread. A later deadline on a pending timer needs nothing: the
  // wheel holds an earlier one and re-files when it comes. While the
  // callback runs, the driver re-files afterwards. Anything else must reach
  // the wheel before its deadline: the driver is woken if it would sleep
  // past it.
  if ((old >= 0 && ns >= old) || old == entry_firing) return {};
  if (!core.submit(&e, /*wake_if_before=*/ns)) return make_error_code(errc::shutdown);
  return {};
}

bool cancel(TimerEntry& e) noexcept {
  std::int64_t old = e.state.load(std::memory_order_acquire);
  do {
    if (old < 0) return false;  // running, complete, or never armed
  } while (!e.state.compare_exchange_weak(old, entry_cancelled, std::memory_order_seq_cst,
                                          std::memory_order_acquire));
  DriverCore& core = *e.core();
  core.release_slot();
  e.notify_waiters(make_error_code(errc::cancelled));
  if (Driver* driver = local_driver(e)) {
    driver->sync(e);  // out of the wheel at once
  } else {
    // The driver drops it at its next turn; no wake-up for a cancel: at
    // worst the driver wakes once at the old deadline and finds nothing.
    (void)core.submit(&e, DriverCore::no_wake);
  }
  return true;
}

}  // namespace tickwheel::detail
