// File: Delay, a one-shot timer made through a Driver's Handle.
//
// A Delay completes once: when its deadline passes (success), when it is
// cancelled (errc::cancelled) or when its driver goes away
// (errc::shutdown). Completion reaches you by the callback given at
// construction (on the driver's thread; on success only if it takes no
// argument), by blocking in wait(), by a std::future, or by a Waiter (the
// hook the coroutine layer builds on). reset() re-arms it, before or after
// it completed. Destroying a Delay cancels it; detach() lets it run on.
#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <system_error>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/driver.hpp"

namespace tickwheel {

/// A one-shot timer.
///
/// Thread safety: a Delay is one object, like a std::unique_ptr: distinct
/// Delays may be used from any threads; one Delay may be reset, cancelled
/// and waited on from several threads at once (those members are
/// synchronised through one atomic word), but moving or destroying it needs
/// exclusive access.
///
/// The cancel race: cancel() returns true only if the callback has not
/// started and never will; if the callback is running on the driver's thread
/// at that moment, cancel() returns false at once (it does not wait).
///
/// Errors: constructing or resetting with a dead driver or an empty handle
/// reports errc::shutdown; beyond the driver's max_timers, errc::at_capacity;
/// a deadline before the clock's epoch, or a NaN/overflowing duration,
/// errc::invalid_argument. A negative duration (after(), reset_after()) means
/// already due, as does any deadline at or before the clock's now: it fires
/// at the next turn. The throwing forms throw tickwheel::error.
class Delay {
 public:
  /// An empty delay: not armed, not tied to a driver.
  Delay() noexcept = default;

  /// Armed for `deadline`, no callback (wait, future or Waiter).
  Delay(const Handle& handle, time_point deadline);
  /// Armed for `deadline` with `on_complete`, a `void(std::error_code)` or
  /// `void()` callable run on the driver's thread.
  template <class F>
  Delay(const Handle& handle, time_point deadline, F&& on_complete) {
    init(handle);
    entry_->set_callback(std::forward<F>(on_complete));
    arm_or_throw(deadline);
  }

  /// Armed for `d` from the driver's clock now.
  template <class Rep, class Period>
  [[nodiscard]] static Delay after(const Handle& handle, std::chrono::duration<Rep, Period> d) {
    return Delay(handle, deadline_after(handle.now(), checked_nanoseconds(d)));
  }
  template <class Rep, class Period, class F>
  [[nodiscard]] static Delay after(const Handle& handle, std::chrono::duration<Rep, Period> d,
                                   F&& on_complete) {
    return Delay(handle, deadline_after(handle.now(), checked_nanoseconds(d)),
                 std::forward<F>(on_complete));
  }

  Delay(Delay&& other) noexcept
      : handle_(std::move(other.handle_)), entry_(std::move(other.entry_)) {}
  Delay& operator=(Delay&& other) noexcept;
  ~Delay();

  /// The deadline it is armed for (nullopt if empty or never armed).
  [[nodiscard]] std::optional<time_point> deadline() const noexcept;
  /// True once the deadline passed and the timer fired (even if its callback
  /// is still running).
  [[nodiscard]] bool is_elapsed() const noexcept;
  /// True while armed and not yet fired, cancelled or shut down.
  [[nodiscard]] bool pending() const noexcept;
  /// The outcome if complete: {} (fired), cancelled or shutdown.
  [[nodiscard]] std::optional<std::error_code> result() const noexcept;

  /// Re-arms for `deadline`, whether pending or complete. A later deadline
  /// on a pending delay is one atomic store (the driver re-files it when the
  /// old deadline comes); an earlier one, or re-arming a completed delay,
  /// wakes the driver. Returns the error instead of throwing.
  std::error_code reset(time_point deadline) noexcept;
  template <class Rep, class Period>
  std::error_code reset_after(std::chrono::duration<Rep, Period> d) noexcept {
    duration step{};
    if (!to_nanoseconds(d, step)) return make_error_code(errc::invalid_argument);
    if (!handle_.alive()) return make_error_code(errc::shutdown);
    return reset(deadline_after(handle_.now(), step));
  }

  /// Cancels a pending delay: true if its callback has not run and will not.
  /// Waiters complete with errc::cancelled. Never blocks.
  bool cancel() noexcept;

  /// Lets the timer run to completion on its own: the Delay becomes empty
  /// and its destructor no longer cancels.
  void detach() noexcept;

  /// Blocks until the delay completes and returns the outcome. Must not be
  /// called on the driver's thread while the driver is not turning (it would
  /// wait forever); from a timer callback it is an error (errc::invalid_argument).
  std::error_code wait();
  /// Like wait(), but gives up at `deadline` on the steady clock (nullopt).
  std::optional<std::error_code> wait_until(std::chrono::steady_clock::time_point deadline);

  /// A future that becomes ready at the next completion: a value on success,
  /// a tickwheel::error (cancelled, shutdown) otherwise.
  [[nodiscard]] std::future<void> get_future();

  /// Registers `w` for the next completion; false if already complete (then
  /// nothing is registered and `w` will not be called). One waiter at a
  /// time; `w` must stay alive until called or the Delay is destroyed.
  bool subscribe(detail::Waiter* w) noexcept;

  [[nodiscard]] const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(entry_); }

 private:
  void init(const Handle& handle);
  void arm_or_throw(time_point deadline);

  Handle handle_;
  detail::EntryRef entry_;
};

}  // namespace tickwheel
