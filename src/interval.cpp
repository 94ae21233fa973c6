#include "tickwheel/interval.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <new>
#include <string>

#include "interval_state.hpp"
#include "timer_ops.hpp"

namespace tickwheel {
namespace {

using phase = detail::IntervalState::phase;

// A thread blocked until the interval has news.
class BlockingWaiter final : public detail::Waiter {
 public:
  void complete(std::error_code /*ec*/) noexcept override {
    const std::lock_guard lock(mutex_);
    done_ = true;
    cv_.notify_one();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
};

std::error_code check_arguments(duration interval, duration start_delay) noexcept {
  if (interval <= duration::zero() || start_delay < duration::zero()) {
    return make_error_code(errc::invalid_argument);
  }
  return {};
}

}  // namespace

Interval::Interval(const Handle& handle, duration interval, AnyMissedTickPolicy policy,
                   IntervalOptions options)
    : Interval(handle, interval, std::move(policy), options, callback{}, 0) {}

Interval::Interval(const Handle& handle, duration interval, AnyMissedTickPolicy policy,
                   IntervalOptions options, callback on_tick, int /*tag*/) {
  if (check_arguments(interval, options.start_delay)) {
    throw error(errc::invalid_argument,
                "tickwheel::Interval: the interval must be positive and the start delay not "
                "negative");
  }
  if (!options.auto_start && options.start_delay > duration::zero()) {
    throw error(errc::invalid_argument,
                "tickwheel::Interval: auto_start must be true if a start delay is specified");
  }
  if (!options.auto_start && options.first_tick_at_start) {
    throw error(errc::invalid_argument,
                "tickwheel::Interval: auto_start must be true if first_tick_at_start is set");
  }
  if (!options.auto_start && options.start_at) {
    throw error(errc::invalid_argument,
                "tickwheel::Interval: auto_start must be true if start_at is set");
  }
  if (!handle.alive()) throw error(errc::shutdown, "tickwheel::Interval: the driver is gone");
  handle_ = handle;
  state_ = std::make_shared<detail::IntervalState>(
      handle.clock(), std::move(policy), std::move(on_tick), options.first_tick_at_start,
      std::max(interval, handle.tick()), options.start_delay);
  state_->start_at = options.start_at;
  entry_ = detail::EntryRef(new detail::TimerEntry(handle.core().get()));
  // The entry keeps the schedule alive while the driver may still fire it,
  // after this Interval is gone; the schedule holds no reference back.
  entry_->set_callback(
      [state = state_, entry = entry_.get()](std::error_code ec) { state->on_fire(*entry, ec); });
  if (options.auto_start) {
    const std::lock_guard lock(state_->mutex);
    if (const std::error_code ec = state_->start_locked(*entry_)) {
      throw error(static_cast<errc>(ec.value()),
                  std::string("tickwheel::Interval: cannot start: ") + ec.message());
    }
  }
}

Interval& Interval::operator=(Interval&& other) noexcept {
  if (this != &other) {
    release();
    handle_ = std::move(other.handle_);
    entry_ = std::move(other.entry_);
    state_ = std::move(other.state_);
  }
  return *this;
}

Interval::~Interval() { release(); }

void Interval::release() noexcept {
  if (state_) stop();
}

duration Interval::interval() const noexcept {
  if (!state_) return duration::zero();
  const std::lock_guard lock(state_->mutex);
  return state_->interval;
}

duration Interval::start_delay() const noexcept {
  if (!state_) return duration::zero();
  const std::lock_guard lock(state_->mutex);
  return state_->start_delay;
}

bool Interval::is_running() const noexcept {
  if (!state_) return false;
  const std::lock_guard lock(state_->mutex);
  return state_->state == phase::running;
}

std::optional<time_point> Interval::next_tick() const noexcept {
  if (!state_) return std::nullopt;
  const std::lock_guard lock(state_->mutex);
  if (state_->state != phase::running) return std::nullopt;
  return state_->scheduled;
}

std::error_code Interval::reset() noexcept { return reset(ResetOptions{}); }

std::error_code Interval::reset(duration interval) noexcept {
  return reset(ResetOptions{.interval = interval});
}

std::error_code Interval::reset(duration interval, duration start_delay) noexcept {
  return reset(ResetOptions{.interval = interval, .start_delay = start_delay});
}

std::error_code Interval::reset(const ResetOptions& options) noexcept {
  if (!state_ || !handle_.alive()) return make_error_code(errc::shutdown);
  const std::lock_guard lock(state_->mutex);
  // Read under the same lock as the restart, so that a concurrent reset with
  // a new interval cannot slip in between.
  const duration new_interval = options.interval.value_or(state_->interval);
  if (const std::error_code ec = check_arguments(new_interval, options.start_delay)) return ec;
  state_->interval = std::max(new_interval, handle_.tick());
  state_->start_delay = options.start_delay;
  state_->first_tick_at_start = options.first_tick_at_start;
  // Waiters stay registered: they wait for the new schedule's first tick.
  return state_->start_locked(*entry_);
}

void Interval::stop() noexcept {
  if (!state_) return;
  std::vector<detail::Waiter*> to_tell;
  {
    const std::lock_guard lock(state_->mutex);
    to_tell = state_->stop_locked();
    (void)detail::cancel(*entry_);
  }
  detail::IntervalState::notify(std::move(to_tell), make_error_code(errc::receiver_stopped));
}

bool Interval::ready() const noexcept {
  if (!state_) return false;
  const std::lock_guard lock(state_->mutex);
  return state_->ready;
}

std::error_code Interval::consume(IntervalTick& out) noexcept {
  if (!state_) return make_error_code(errc::shutdown);
  detail::IntervalState& s = *state_;
  const std::lock_guard lock(s.mutex);
  if (!s.ready) return s.no_tick_error_locked();
  const time_point now = s.clock.now();
  s.ready = false;
  if (s.state != phase::running) {  // ready before stop(): delivered once
    out = IntervalTick{s.scheduled, now - s.scheduled, ++s.ticks};
    return {};
  }
  if (s.take_tick_locked(now, out)) {
    // Already due (a burst, or a slow consumer): ready at once, no need to
    // go through the wheel.
    if (s.scheduled <= now) {
      s.ready = true;
    } else {
      s.arm_locked(*entry_);
    }
  }
  return {};
}

std::error_code Interval::wait(IntervalTick& out) {
  if (!state_) return make_error_code(errc::shutdown);
  for (;;) {
    const std::error_code ec = consume(out);
    if (ec != std::errc::operation_would_block) return ec;
    if (Driver* driver = detail::local_driver(*entry_)) {
      // On the driver's own thread: drive it ourselves meanwhile.
      {
        const std::lock_guard lock(state_->mutex);
        if (state_->state == phase::idle) (void)state_->start_locked(*entry_);
      }
      driver->turn();
      continue;
    }
    BlockingWaiter waiter;
    if (subscribe(&waiter)) waiter.wait();
  }
}

bool Interval::subscribe(detail::Waiter* w) noexcept {
  if (!state_ || w == nullptr) return false;
  detail::IntervalState& s = *state_;
  const std::lock_guard lock(s.mutex);
  if (s.on_tick) return false;
  if (s.state == phase::idle) (void)s.start_locked(*entry_);
  if (s.ready || s.state != phase::running) return false;
  try {
    s.waiters.push_back(w);
  } catch (const std::bad_alloc&) {
    return false;  // the caller finds nothing to consume and may retry
  }
  return true;
}

bool Interval::unsubscribe(detail::Waiter* w) noexcept {
  if (!state_) return false;
  const std::lock_guard lock(state_->mutex);
  auto& ws = state_->waiters;
  const auto it = std::find(ws.begin(), ws.end(), w);
  if (it == ws.end()) return false;
  ws.erase(it);
  return true;
}

}  // namespace tickwheel
