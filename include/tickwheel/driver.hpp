// File: Driver, the loop that turns a TimerWheel with a clock (Now) and a
// Park (how it sleeps), and Handle, the cheap copyable way for any thread to
// reach it.
//
// A driver owns one wheel. Its thread calls turn() (or run()); each turn
// takes the work other threads handed over, parks at most once (until the
// next deadline, max_wait, or new work), advances the wheel to the clock's
// now and runs what is due. Work from the driver's own thread goes straight
// to the wheel; work from other threads goes through a lock-free submission
// stack that the next turn drains, waking the park if it sleeps.
//
// Nothing polls: with nothing due the park sleeps without a timeout, and a
// timer pushed later costs at most one wake-up at its old deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stop_token>
#include <system_error>
#include <thread>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/park.hpp"
#include "tickwheel/timer_wheel.hpp"

namespace tickwheel {

class Driver;
class Handle;
class DriverScope;

/// Construction options of a Driver.
struct DriverOptions {
  WheelGeometry geometry = WheelGeometry::default_geometry();
  /// Outstanding timers allowed at once; beyond it scheduling fails with
  /// errc::at_capacity.
  std::size_t max_timers = std::numeric_limits<std::size_t>::max();
};

/// What one turn() did.
struct TurnResult {
  std::size_t fired = 0;     ///< timers completed by this turn
  std::size_t received = 0;  ///< entries taken from other threads
};

/// Counters for tests and monitoring (turns, parks, wake-ups).
struct DriverStats {
  std::uint64_t turns = 0;
  std::uint64_t parks = 0;         ///< park() calls that could block
  std::uint64_t park_wakeups = 0;  ///< park returns not caused by unpark (Park::wakeups())
  std::size_t outstanding = 0;     ///< timers scheduled and not yet completed
};

namespace detail {

/// The part of a driver that outlives it: what Handles, and the timers made
/// through them, hold on to. Not part of the public API.
class DriverCore {
 public:
  DriverCore(ClockRef c, std::shared_ptr<Park> p, std::size_t max, duration t)
      : clock(c), park(std::move(p)), max_timers(max), tick(t), origin(c.now()) {}

  /// Pushes `e` on the submission stack (unless it is queued already).
  /// Wakes the driver if it sleeps past `wake_if_before` (ns on the steady
  /// timeline; no_wake: never for this entry), or if the stack has grown by
  /// backlog_limit since the last drain. False if the driver is gone.
  bool submit(TimerEntry* e, std::int64_t wake_if_before) noexcept;
  static constexpr std::int64_t no_wake = std::numeric_limits<std::int64_t>::max();
  static constexpr std::uint32_t backlog_limit = 256;
  /// Takes every queued entry, oldest first (a singly linked list).
  TimerEntry* take_all() noexcept;
  /// Closes the stack: later submits fail. Returns what was queued.
  TimerEntry* close() noexcept;

  [[nodiscard]] bool on_driver_thread() const noexcept {
    return driver_thread.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  [[nodiscard]] bool alive() const noexcept { return driver.load(std::memory_order_acquire); }

  /// Counts a timer against max_timers; false when at capacity. Without a
  /// limit nothing is counted (no shared counter for every timer to touch).
  bool acquire_slot() noexcept;
  void release_slot() noexcept {
    if (counting()) outstanding.fetch_sub(1, std::memory_order_relaxed);
  }
  [[nodiscard]] bool counting() const noexcept {
    return max_timers != std::numeric_limits<std::size_t>::max();
  }

  const ClockRef clock;
  const std::shared_ptr<Park> park;
  const std::size_t max_timers;
  const duration tick;      // the wheel's tick length
  const time_point origin;  // the wheel's tick 0: ticks end at origin + k * tick
  std::atomic<TimerEntry*> head{nullptr};
  std::atomic<std::uint32_t> backlog{0};  // pushes since the last drain
  // While the driver sleeps: until when (ns; no_wake: no deadline); -1 awake.
  alignas(64) std::atomic<std::int64_t> sleeping_until{-1};
  std::atomic<std::thread::id> driver_thread{};
  std::atomic<Driver*> driver{nullptr};  // null once the driver is gone
  std::atomic<std::size_t> outstanding{0};
};

}  // namespace detail

/// A reference to a Driver that any thread may copy and use: two pointers'
/// worth, copying it is an atomic increment. Timers are made through it
/// (Delay, Interval, IdleTimer...). A default-constructed Handle, or one
/// whose driver was destroyed, reports errc::shutdown.
///
/// Thread safety: every member may be called from any thread.
class Handle {
 public:
  Handle() noexcept = default;

  /// The driver's clock reading (the steady clock for a default-constructed
  /// handle).
  [[nodiscard]] time_point now() const;
  /// The driver's clock.
  [[nodiscard]] ClockRef clock() const noexcept;
  /// The length of the driver's wheel tick (its timer resolution); one
  /// nanosecond for an empty handle.
  [[nodiscard]] duration tick() const noexcept { return core_ ? core_->tick : duration{1}; }
  /// True while the driver exists.
  [[nodiscard]] bool alive() const noexcept { return core_ && core_->alive(); }
  /// True on the thread that turns the driver.
  [[nodiscard]] bool on_driver_thread() const noexcept {
    return core_ && core_->on_driver_thread();
  }

  /// The handle set by Driver::enter() on this thread; throws
  /// tickwheel::error(errc::no_driver) outside any such scope.
  [[nodiscard]] static Handle current();
  /// Like current(), but an empty handle (and no exception) outside a scope.
  [[nodiscard]] static Handle try_current() noexcept;

  /// Makes this handle's driver the one Handle::current() returns on this
  /// thread until the returned scope ends: how a thread other than the
  /// driver's (of a DriverThread, say) uses sleep_for and delay.
  [[nodiscard]] DriverScope enter() const;

  friend bool operator==(const Handle& a, const Handle& b) noexcept { return a.core_ == b.core_; }

  [[nodiscard]] const std::shared_ptr<detail::DriverCore>& core() const noexcept { return core_; }

 private:
  friend class Driver;
  explicit Handle(std::shared_ptr<detail::DriverCore> core) noexcept : core_(std::move(core)) {}
  std::shared_ptr<detail::DriverCore> core_;
};

/// Makes a driver the current one of this thread for its lifetime (see
/// Driver::enter); scopes nest.
class DriverScope {
 public:
  DriverScope(const DriverScope&) = delete;
  DriverScope& operator=(const DriverScope&) = delete;
  ~DriverScope();

 private:
  friend class Driver;
  friend class Handle;
  explicit DriverScope(Handle h);
  Handle previous_;
};

/// The timer driver: a wheel, a clock and a park.
///
/// Thread safety: turn(), run() and the destructor belong to one thread at
/// a time (the driver's thread: the last to call turn(), or the creator
/// before that). stop() and handle() may be called from any thread. Timers
/// reach the driver from any thread through Handles.
///
/// Shutdown: destroying the driver completes every outstanding timer with
/// errc::shutdown (callbacks run on the destroying thread, waiters wake), and
/// every later use of its handles reports errc::shutdown.
class Driver {
 public:
  /// The real steady clock, sleeping on a condition variable.
  Driver();
  explicit Driver(DriverOptions options);
  /// Any clock and park; `clock` must outlive the driver and its timers.
  Driver(ClockRef clock, std::unique_ptr<Park> park, DriverOptions options = {});
  /// A ManualClock with a VirtualPark: turns jump from deadline to deadline.
  explicit Driver(ManualClock& clock, DriverOptions options = {});
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  [[nodiscard]] Handle handle() const noexcept { return Handle(core_); }
  [[nodiscard]] time_point now() const { return core_->clock.now(); }
  [[nodiscard]] Park& park() const noexcept { return *core_->park; }

  /// One iteration: takes other threads' work, parks at most once (until the
  /// next deadline, `max_wait` from now, or new work; nullopt: no limit; a
  /// negative max_wait counts as zero), advances to the clock's now and runs
  /// what is due. Must not be called from a timer callback (throws
  /// tickwheel::error(errc::invalid_argument)).
  TurnResult turn(std::optional<duration> max_wait = std::nullopt);

  /// Turns until stop() is called (from a callback or another thread).
  void run();
  /// Turns until the clock reads `deadline` or later, or stop() is called.
  void run_until(time_point deadline);
  /// Turns until no timer is outstanding (those armed from other threads
  /// before the call included), or stop() is called.
  void run_until_idle();
  /// Makes run() / run_until() return after the current turn. Any thread.
  void stop() noexcept;

  /// Makes this driver the one Handle::current() returns on this thread
  /// until the returned scope ends.
  [[nodiscard]] DriverScope enter() const { return DriverScope(handle()); }

  [[nodiscard]] DriverStats stats() const noexcept;
  /// Timers armed and not yet complete. With a max_timers limit this counts
  /// every thread's timers at once; without one it counts those in the
  /// wheel as of this thread's last turn (call it on the driver's thread).
  [[nodiscard]] std::size_t outstanding() const noexcept {
    return core_->counting() ? core_->outstanding.load(std::memory_order_relaxed) : wheel_.size();
  }

  // ---- for the timer types built on the driver (Delay, Interval, ...) ----
  // Driver thread only. Files, re-files or removes an entry according to its
  // state; the driver takes a reference while the entry is in the wheel.
  void sync(detail::TimerEntry& e);

 private:
  void drain();
  void fire(detail::TimerEntry& e, TimerId self);
  void shut_down_entry(detail::TimerEntry& e) noexcept;
  void adopt(detail::TimerEntry* e);

  std::shared_ptr<detail::DriverCore> core_;
  TimerWheel wheel_;
  std::atomic<bool> stop_{false};
  bool turning_ = false;
  detail::TimerEntry* firing_ = nullptr;  // the entry whose callback runs
  bool shutting_down_ = false;
  std::uint64_t turns_ = 0;
  std::uint64_t parks_ = 0;
  std::size_t fired_this_turn_ = 0;
  std::size_t received_this_turn_ = 0;
};

/// A Driver turned by its own thread, started at construction and stopped
/// (then destroyed: outstanding timers get errc::shutdown) at destruction.
/// Thread safety: handle() and stop() from any thread.
class DriverThread {
 public:
  /// The real clock, default park.
  DriverThread();
  explicit DriverThread(DriverOptions options);
  ~DriverThread();
  DriverThread(const DriverThread&) = delete;
  DriverThread& operator=(const DriverThread&) = delete;

  [[nodiscard]] Handle handle() const noexcept { return handle_; }
  /// Stops the thread and destroys the driver; idempotent.
  void stop();

 private:
  Handle handle_;
  std::jthread thread_;
};

}  // namespace tickwheel
