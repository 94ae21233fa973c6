// File: IdleTimer, which calls a function once a set time has passed since
// the last recorded event (a watchdog for "nothing happened for N seconds").
//
// record_call() is the hot path: one clock read and one compare-and-swap
// that moves the armed deadline later. The wheel is not told; when the old
// deadline comes due the driver finds the later one and files the timer
// again (the lazy push-later reset). So an idle timer fed a million events a
// second costs the driver one wake-up per idle period, not one per event.
//
// The callback runs on the driver's thread at the deadline (last call +
// duration, rounded up to the wheel's tick), outside any lock, once per idle
// period: after it has run, the next record_call() arms the timer again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/parse_duration.hpp"

namespace tickwheel {

namespace detail {
struct IdleControl;
}

/// Calls a function once `duration` has passed since the last
/// record_call().
///
/// Where it runs: on a Driver given by its Handle, or, without one, on a
/// thread of its own (a DriverThread on the real steady clock) that is
/// started by the first record_call() and stopped by quit() or the
/// destructor. No thread polls: the driver sleeps until the deadline. The
/// first idle period starts at that first call, not once the thread is up.
///
/// Durations: zero fires at the driver's next turn; TimeValue::infinite()
/// (the `inf` of parse_duration) never fires, and a standalone timer with
/// it never starts its thread. A negative duration is rejected with
/// errc::invalid_argument at construction. The seeds disagree on it: the
/// timer-object seed treats negative as "already due", and the idle-timer
/// seed's code fails in its background thread (a negative sleep raises
/// there), so that timer never fires. Neither is a useful idle period.
///
/// Thread safety: record_call() may be called from any thread, concurrently,
/// including from the callback. quit() may be called from any thread and
/// from the callback. Moving or destroying needs exclusive access.
///
/// Lifetime: quit() (and so the destructor) waits for a callback that is
/// already running on another thread, then guarantees no further call: what
/// the callback touches may be destroyed once it returns. On a standalone
/// timer it also stops and joins the timer's thread. Called from the
/// callback itself it does not wait, and leaves the join of a standalone
/// thread (which cannot join itself) to the destructor or to a later quit()
/// from another thread. So a standalone timer must not be destroyed from
/// its own callback.
///
/// Complexity: record_call() is O(1): a clock read and, at most once per
/// wheel tick, one compare-and-swap, with no lock and no allocation. The
/// first call after a fire (or ever) also hands the timer to the driver, and
/// a standalone timer's first call starts its thread.
///
/// Exceptions thrown by the callback propagate out of the driver's turn()
/// (on a standalone timer's own thread that terminates the program, as for
/// any std::thread); the timer stays usable and the next record_call() arms
/// it again.
class IdleTimer {
 public:
  /// Standalone: runs `on_idle` (a `void()` callable) on a thread of its own.
  template <class F>
  requires(std::is_invocable_v<std::decay_t<F>&>) IdleTimer(TimeValue duration, F&& on_idle)
      : IdleTimer(nullptr, duration, std::function<void()>(std::forward<F>(on_idle))) {}

  /// On the driver of `handle` (which must be alive: errc::shutdown otherwise).
  template <class F>
  requires(std::is_invocable_v<std::decay_t<F>&>)
      IdleTimer(const Handle& handle, TimeValue duration, F&& on_idle)
      : IdleTimer(&handle, duration, std::function<void()>(std::forward<F>(on_idle))) {}

  IdleTimer(IdleTimer&& other) noexcept;
  IdleTimer& operator=(IdleTimer&& other) noexcept;
  IdleTimer(const IdleTimer&) = delete;
  IdleTimer& operator=(const IdleTimer&) = delete;
  /// quit(), then releases the timer (and joins a standalone thread that a
  /// quit() from the callback left running).
  ~IdleTimer();

  /// Records an event: the callback will run `duration` after this call
  /// unless another call comes first. Cheap enough for every packet or log
  /// line. Returns errc::cancelled after quit(), errc::shutdown if the
  /// driver is gone, errc::at_capacity beyond the driver's max_timers (the
  /// next call tries again); resource_unavailable_try_again if a standalone
  /// timer could not start its thread.
  std::error_code record_call() noexcept {
    detail::TimerEntry* e = entry_.load(std::memory_order_acquire);
    if (e == nullptr || infinite_) return record_call_slow();
    const std::int64_t due = due_after(clock_.now());
    std::int64_t armed = e->state.load(std::memory_order_relaxed);
    while (armed >= 0) {  // pending: only ever moved later here
      // The armed deadline is a tick boundary: a call within the same tick
      // changes nothing and writes nothing (no cache line bounces between
      // threads that feed one timer).
      if (due <= armed) return {};
      if (e->state.compare_exchange_weak(armed, round_up_to_tick(due), std::memory_order_seq_cst,
                                         std::memory_order_relaxed)) {
        return {};
      }
    }
    return record_call_slow();  // fired, firing, never armed, cancelled or shut down
  }

  /// Stops the timer for good: no callback starts after it returns, one
  /// already running on another thread has finished, and a standalone
  /// timer's thread has been joined (handle().alive() is false). From the
  /// callback it neither waits nor joins (see Lifetime). Idempotent; later
  /// record_call()s return errc::cancelled and start no thread.
  void quit() noexcept;

  /// True after quit().
  [[nodiscard]] bool quitted() const noexcept;
  /// The idle period.
  [[nodiscard]] TimeValue duration() const noexcept { return duration_; }
  /// When the callback will run if no further call comes: the latest call's
  /// clock reading + duration, rounded up to the end of its wheel tick (the
  /// driver's resolution: it fires nothing between ticks). nullopt when not
  /// armed (before the first call, after it fired, after quit()).
  [[nodiscard]] std::optional<time_point> deadline() const noexcept;
  /// How many times the callback has started.
  [[nodiscard]] std::uint64_t fire_count() const noexcept;
  /// The driver it runs on: the one given, or a standalone timer's own
  /// (empty until its first record_call(); not alive() once quit() has
  /// stopped its thread).
  [[nodiscard]] Handle handle() const noexcept;

 private:
  IdleTimer(const Handle* handle, TimeValue duration, std::function<void()> on_idle);
  std::error_code record_call_slow() noexcept;
  std::error_code start_standalone();
  void make_entry();
  [[nodiscard]] std::int64_t due_after(time_point now) const noexcept {
    return detail::sat_add(now.time_since_epoch().count(), idle_ns_);
  }
  // The end of the wheel tick that holds `due`: the instant the driver fires
  // a timer due at `due` anyway, so arming for it is never early and no later.
  [[nodiscard]] std::int64_t round_up_to_tick(std::int64_t due) const noexcept;

  // The hot path reads only these, and the entry's state word.
  std::atomic<detail::TimerEntry*> entry_{nullptr};  // one reference held; null until ready
  ClockRef clock_;
  std::int64_t idle_ns_ = 0;
  std::int64_t origin_ns_ = 0;  // the driver's wheel: tick 0 and tick length
  std::int64_t tick_ns_ = 1;
  bool infinite_ = false;
  TimeValue duration_;
  Handle handle_;
  std::shared_ptr<detail::IdleControl> control_;  // shared with the callback in the entry
  std::unique_ptr<DriverThread> own_thread_;      // standalone only
};

}  // namespace tickwheel
