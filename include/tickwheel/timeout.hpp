// File: Timeout, bounding an operation by a deadline on a driver's clock,
// and TimeoutStream, which bounds every gap between the items of a stream.
//
// The result is the operation's value, its error, or errc::timed_out. The
// decision is taken after the driver's turn that reaches the deadline, so a
// value that is ready by then wins over the timeout: "ready at the
// deadline" counts as in time.
//
// Why Result<T> rather than throwing: a timeout is an expected outcome that
// callers branch on, not an exceptional one, and Result keeps
// std::expected's names so C++23 code can switch to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/result.hpp"

namespace tickwheel {

namespace detail {

/// Blocks until a condition holds or a deadline on a driver's clock passes:
/// the waiting shared by Timeout and TimeoutStream. On the driver's own
/// thread it turns the driver while it waits; elsewhere it sleeps on a
/// condition variable that one Delay (or notify()) wakes.
/// Thread safety: wait() from one thread at a time; notify() and mutex()
/// from any.
class DeadlineWait {
 public:
  explicit DeadlineWait(Handle handle);
  ~DeadlineWait();
  DeadlineWait(const DeadlineWait&) = delete;
  DeadlineWait& operator=(const DeadlineWait&) = delete;

  /// {} as soon as ready(ctx) is true (it is called with mutex() held, and
  /// once more after the deadline passed: a late-but-ready value wins);
  /// errc::timed_out once the clock reads `deadline` and ready(ctx) is
  /// still false; errc::shutdown if the driver is (or goes) away first.
  std::error_code wait(time_point deadline, bool (*ready)(void*), void* ctx);
  /// Wakes wait() to look at ready() again; call after changing what it
  /// reads (under mutex()). Also wakes the driver if wait() is turning it.
  void notify() noexcept;
  /// Guards what ready() reads.
  [[nodiscard]] std::mutex& mutex() const noexcept;
  [[nodiscard]] const Handle& handle() const noexcept { return handle_; }

 private:
  struct shared;
  std::error_code arm(time_point deadline);

  Handle handle_;
  std::shared_ptr<shared> s_;  // shared with the Delay's callback
  Delay delay_;
};

template <class T>
using timeout_result = std::conditional_t<std::is_void_v<T>, std::error_code, Result<T>>;

// The operation's own error: a std::system_error's code; anything else
// it threw propagates unchanged.
template <class T>
timeout_result<T> take(std::future<T>& f) {
  try {
    if constexpr (std::is_void_v<T>) {
      f.get();
      return std::error_code{};
    } else {
      return f.get();
    }
  } catch (const std::system_error& e) {
    return e.code();
  }
}

}  // namespace detail

/// Waits for `op` until `deadline` on `handle`'s clock.
///
/// Returns the value (std::error_code{} for future<void>), the operation's
/// error if it failed with a std::system_error (other exceptions are
/// rethrown), errc::timed_out, errc::shutdown if the driver is gone before
/// the value is ready, or errc::invalid_argument for an invalid future or a
/// deadline before the clock's epoch. A past deadline (or a negative limit for
/// timeout()) still gives a ready value. `op` is consumed unless the result is
/// timed_out or shutdown (then it may still be waited on).
///
/// Blocking: on the driver's thread the driver is turned meanwhile; a
/// std::future has no completion hook, so there its readiness is seen at
/// each turn (at the latest at the deadline). Off the driver's thread, on
/// the real clock, it waits on the future itself; on a virtual clock it
/// wakes at the deadline. Must not be called from a timer callback.
///
/// Thread safety: any thread; `op` must not be used concurrently.
template <class T>
detail::timeout_result<T> timeout_at(const Handle& handle, time_point deadline,
                                     std::future<T>& op) {
  if (!op.valid() || deadline < time_point{}) return make_error_code(errc::invalid_argument);
  auto ready = [](void* f) {
    return static_cast<std::future<T>*>(f)->wait_for(std::chrono::seconds(0)) ==
           std::future_status::ready;
  };
  std::error_code ec;
  if (ready(&op)) return detail::take(op);
  if (!handle.alive()) return make_error_code(errc::shutdown);
  if (handle.clock().is_steady() && !handle.on_driver_thread()) {
    // Real time: the future's own wait is exact and needs no driver turn.
    if (op.wait_until(deadline) != std::future_status::ready) {
      return make_error_code(errc::timed_out);
    }
  } else {
    detail::DeadlineWait wait(handle);
    ec = wait.wait(deadline, ready, &op);
    if (ec) return ec;
  }
  return detail::take(op);
}

/// timeout_at() `limit` from the driver's clock now.
template <class T, class Rep, class Period>
detail::timeout_result<T> timeout(const Handle& handle, std::chrono::duration<Rep, Period> limit,
                                  std::future<T>& op) {
  duration step{};
  if (!to_nanoseconds(limit, step)) return make_error_code(errc::invalid_argument);
  return timeout_at(handle, deadline_after(handle.now(), step), op);
}

/// The callback-completion form of Timeout: an operation that reports by
/// callback completes this object (set_value / set_error, from any thread),
/// and wait() returns what came first: the value, the error, or
/// errc::timed_out at `deadline`. A completion that arrives while the
/// deadline's driver turn runs (on the driver's thread: anything that
/// turn completes) still wins; one arriving after wait() decided on
/// timed_out is refused (set_value returns false).
///
/// Unlike timeout() over a std::future, a completion wakes wait() at once,
/// also when wait() is turning the driver on its own thread.
///
/// Thread safety: set_value/set_error from any thread; wait() from one
/// thread, once. The object must outlive every call (share it, e.g. through
/// a std::shared_ptr, with the operation). Errors from wait():
/// errc::timed_out, errc::shutdown (driver gone first), errc::invalid_argument
/// (a deadline before the epoch, or a second wait()), or the operation's
/// own error.
template <class T>
class TimeoutPromise {
 public:
  TimeoutPromise(const Handle& handle, time_point deadline) : wait_(handle), deadline_(deadline) {}
  template <class Rep, class Period>
  TimeoutPromise(const Handle& handle, std::chrono::duration<Rep, Period> limit)
      : TimeoutPromise(handle, deadline_after(handle.now(), checked_nanoseconds(limit))) {}

  /// Completes with `value`; false if already complete (or timed out).
  bool set_value(T value) { return settle(Result<T>(std::move(value))); }
  /// Completes with the operation's error (must not be empty); false if
  /// already complete (or timed out) or `ec` is empty.
  bool set_error(std::error_code ec) { return ec && settle(Result<T>(ec)); }

  /// Blocks until completion or the deadline (see the class comment).
  Result<T> wait() {
    const std::error_code ec = wait_.wait(deadline_, &is_settled, this);
    const std::lock_guard lock(wait_.mutex());
    if (taken_) return errc::invalid_argument;
    taken_ = true;
    if (!result_) result_.emplace(ec ? ec : make_error_code(errc::timed_out));
    return std::move(*result_);
  }

  [[nodiscard]] time_point deadline() const noexcept { return deadline_; }

 private:
  static bool is_settled(void* self) {
    return static_cast<TimeoutPromise*>(self)->result_.has_value();
  }
  bool settle(Result<T> r) {
    {
      const std::lock_guard lock(wait_.mutex());
      if (result_ || taken_) return false;
      result_.emplace(std::move(r));
    }
    wait_.notify();
    return true;
  }

  detail::DeadlineWait wait_;
  time_point deadline_;
  std::optional<Result<T>> result_;  // guarded by wait_.mutex()
  bool taken_ = false;               // guarded by wait_.mutex()
};

/// A stream of items whose every gap is bounded by `period`: next() returns
/// the next item, or errc::timed_out when none came for a period. The bound
/// re-arms after every item (from the moment next() returns it) and after
/// every timeout (one period later, without drift), so an idle stream
/// reports timed_out exactly once per period.
///
/// Producers push() from any thread; one consumer calls next(). close()
/// ends the stream: next() returns the items left, then errc::closed.
///
/// Thread safety: push() and close() from any thread; next() from one
/// thread at a time (on the driver's thread it turns the driver while it
/// waits). Errors: the constructor throws tickwheel::error
/// (errc::invalid_argument) for a period <= 0 or NaN, (errc::shutdown) for
/// a dead driver; next() reports errc::shutdown once the driver is gone.
template <class T>
class TimeoutStream {
 public:
  template <class Rep, class Period>
  TimeoutStream(const Handle& handle, std::chrono::duration<Rep, Period> period)
      : wait_(handle), period_(checked_nanoseconds(period)) {
    if (period_ <= duration::zero()) {
      throw error(errc::invalid_argument, "tickwheel::TimeoutStream: the period must be > 0");
    }
    if (!handle.alive()) throw error(errc::shutdown, "tickwheel::TimeoutStream: no driver");
    deadline_ = saturating_add(handle.now(), period_);
  }

  /// Hands an item to the consumer; false (item dropped) once closed.
  bool push(T item) {
    {
      const std::lock_guard lock(wait_.mutex());
      if (closed_) return false;
      items_.push_back(std::move(item));
    }
    wait_.notify();
    return true;
  }

  /// Ends the stream after the items already pushed.
  void close() {
    {
      const std::lock_guard lock(wait_.mutex());
      closed_ = true;
    }
    wait_.notify();
  }

  /// The next item; errc::timed_out after an idle period; errc::closed;
  /// errc::shutdown.
  Result<T> next() {
    const std::error_code ec = wait_.wait(deadline_, &has_news, this);
    if (ec == errc::timed_out) {
      deadline_ = saturating_add(deadline_, period_);
      return ec;
    }
    if (ec) return ec;
    std::unique_lock lock(wait_.mutex());
    if (items_.empty()) return errc::closed;
    T item = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    deadline_ = saturating_add(wait_.handle().now(), period_);
    return item;
  }

  /// When next() would report timed_out if nothing comes.
  [[nodiscard]] time_point deadline() const noexcept { return deadline_; }

 private:
  static bool has_news(void* self) {
    auto* s = static_cast<TimeoutStream*>(self);
    return !s->items_.empty() || s->closed_;
  }

  detail::DeadlineWait wait_;
  duration period_;
  time_point deadline_{};
  std::deque<T> items_;  // guarded by wait_.mutex()
  bool closed_ = false;  // guarded by wait_.mutex()
};

}  // namespace tickwheel
