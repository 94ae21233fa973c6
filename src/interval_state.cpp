#include "interval_state.hpp"

#include <new>
#include <utility>

#include "timer_ops.hpp"

namespace tickwheel::detail {

std::error_code IntervalState::start_locked(TimerEntry& entry) {
  if (start_at) {
    scheduled = *std::exchange(start_at, std::nullopt);
  } else {
    const time_point now = clock.now();
    const duration first = first_tick_at_start ? duration::zero() : interval;
    scheduled = saturating_add(saturating_add(now, start_delay), first);
  }
  ready = false;
  ticks = 0;
  ++epoch;
  state = phase::running;
  failure = {};
  arm_locked(entry);
  return failure;
}

std::vector<Waiter*> IntervalState::stop_locked() noexcept {
  if (state != phase::idle && state != phase::running) return {};
  state = phase::stopped;
  ++epoch;
  return std::exchange(waiters, {});
}

std::error_code IntervalState::no_tick_error_locked() const noexcept {
  if (on_tick) return make_error_code(errc::invalid_argument);
  switch (state) {
    case phase::stopped:
      return make_error_code(errc::receiver_stopped);
    case phase::ended:
      return failure;
    case phase::idle:
    case phase::running:
      break;
  }
  return std::make_error_code(std::errc::operation_would_block);
}

void IntervalState::arm_locked(TimerEntry& entry) {
  std::error_code ec;
  try {
    ec = arm(entry, scheduled);
  } catch (const std::bad_alloc&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  if (ec) {
    state = phase::ended;
    failure = ec;
  }
}

bool IntervalState::take_tick_locked(time_point now, IntervalTick& out) noexcept {
  out = IntervalTick{scheduled, now - scheduled, ++ticks};
  try {
    scheduled = policy.next_tick(interval, scheduled, now);
    return true;
  } catch (...) {
    // A policy that throws cannot say when to tick next: the timer ends
    // rather than guess.
    state = phase::ended;
    failure = make_error_code(errc::invalid_argument);
    return false;
  }
}

void IntervalState::notify(std::vector<Waiter*> to_tell, std::error_code ec) noexcept {
  for (Waiter* w : to_tell) w->complete(ec);
}

void IntervalState::on_fire(TimerEntry& entry, std::error_code ec) {
  if (ec) {  // the driver is going away
    std::vector<Waiter*> to_tell;
    {
      const std::lock_guard lock(mutex);
      if (state == phase::idle || state == phase::running) {
        state = phase::ended;
        failure = ec;
      }
      to_tell = std::exchange(waiters, {});
    }
    notify(std::move(to_tell), ec);
    return;
  }
  const time_point now = clock.now();
  std::unique_lock lock(mutex);
  // A stop() that lost the race with this fire: it has the last word.
  if (state != phase::running) return;
  // A reset() after the wheel took this fire moved the tick later and armed
  // for it already; arming again for the same time is harmless.
  if (now < scheduled) {
    arm_locked(entry);
    return;
  }
  if (!on_tick) {
    ready = true;
    std::vector<Waiter*> to_tell = std::exchange(waiters, {});
    lock.unlock();
    notify(std::move(to_tell), {});
    return;
  }
  IntervalTick tick;
  if (!take_tick_locked(now, tick)) return;
  const std::uint64_t seen = epoch;
  lock.unlock();
  // Re-armed after the callback (which may stop or reset the timer: then
  // its word stands), even if it throws.
  struct rearm {
    IntervalState& self;
    TimerEntry& entry;
    std::uint64_t seen;
    ~rearm() {
      const std::lock_guard relock(self.mutex);
      if (self.epoch == seen && self.state == phase::running) self.arm_locked(entry);
    }
  } guard{*this, entry, seen};
  on_tick(tick);
}

}  // namespace tickwheel::detail
