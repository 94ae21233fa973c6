// File: Interval, a periodic timer made through a Driver's Handle. Each tick
// reports its drift: how much later than scheduled it was handled. What
// happens to ticks that fall due while one is late is the missed-tick
// policy's choice (missed_tick_policy.hpp).
//
//   tickwheel::Interval every(handle, 1s, tickwheel::SkipMissedAndResync{}, {},
//                             [](const tickwheel::IntervalTick& t) { log(t.drift); });
//
// or, without a callback, pulled by a consumer:
//
//   tickwheel::Interval every(handle, 1s);
//   tickwheel::IntervalTick t;
//   while (!every.wait(t)) { ... t.drift ... }
//
// The schedule: started at `s` (construction, reset(), or with auto_start off
// the first wait), the first tick is due at s + start_delay + interval, or at
// s + start_delay with first_tick_at_start. Construction takes start_delay and
// first_tick_at_start from IntervalOptions; every reset takes them afresh from
// its arguments (ResetOptions), by default 0 and false, as a restart "from
// now" does not inherit the constructor's warm-up. After a tick scheduled at
// `t` and handled at `now`, the next one is policy.next_tick(interval, t, now).
//
// "Handled" means: with a callback, when the driver runs it (the driver's
// clock just before the callback); without one, when consume() (or wait())
// takes the tick, so a consumer that is busy for a while sees the delay as
// drift and the policy decides what to do about the ticks it missed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/missed_tick_policy.hpp"

namespace tickwheel {

/// One tick of an Interval.
struct IntervalTick {
  time_point scheduled{};  ///< when the tick was due
  duration drift{};        ///< how late it was handled (>= 0)
  std::uint64_t number{};  ///< 1 for the first tick after a (re)start, then 2, 3, ...
};

/// Construction options of an Interval.
struct IntervalOptions {
  /// Extra wait before the first tick (>= 0). Applies to the start at
  /// construction only: reset() does not reuse it.
  duration start_delay{0};
  /// Start at construction; if false the timer starts at reset() or at the
  /// first wait() / subscribe().
  ///
  /// False requires start_delay == 0 and first_tick_at_start == false
  /// (otherwise errc::invalid_argument): both are meant relative to a start
  /// the caller chooses, and a lazy start happens whenever some consumer
  /// first waits. A timer made with auto_start off can be started with a
  /// delay or a tick at start by reset(ResetOptions).
  bool auto_start = true;
  /// The first tick is due at the start instant (+ start_delay) instead of
  /// one interval later. Applies to the start at construction only.
  bool first_tick_at_start = false;
  /// The first tick at this instant, past or future (tokio's
  /// Interval::new(start, period)); the grid is start_at + k * interval.
  /// Overrides start_delay and first_tick_at_start and needs auto_start. A
  /// past instant is due at once: the policy decides what follows (the
  /// default, TriggerAllMissed, catches up with a burst). Applies to the
  /// start at construction only.
  std::optional<time_point> start_at{};
};

/// What Interval::reset(const ResetOptions&) restarts with. The defaults are
/// those of reset(): the current interval, no start delay, the first tick one
/// interval after the reset. Meant for designated initializers:
///
///   every.reset({.first_tick_at_start = true});          // tick now, then every interval
///   every.reset({.interval = 5s, .start_delay = 100ms});  // first tick at now + 5.1 s
struct ResetOptions {
  /// The new period (> 0, rounded up to the wheel's tick); nullopt keeps the
  /// current one.
  // The explicit {} keeps g++'s -Wmissing-field-initializers quiet for
  // designated initializers that leave it out.
  std::optional<duration> interval{};
  /// Extra wait before the first tick (>= 0).
  duration start_delay{0};
  /// The first tick is due at the reset instant (+ start_delay) instead of
  /// one interval later.
  bool first_tick_at_start = false;
};

namespace detail {
struct IntervalState;
}

/// A periodic timer.
///
/// One consumer: either the callback given at construction, run on the
/// driver's thread for every tick, or (without a callback) whoever calls
/// consume() / wait() / subscribe(). With a callback those three report
/// errc::invalid_argument / false.
///
/// Thread safety: like Delay. Distinct Intervals may be used from any
/// threads; one Interval's members (except move and destruction) may be
/// called concurrently, they synchronise on an internal mutex. The callback
/// may call any member of its own Interval except wait() and destruction.
///
/// Intervals below the wheel's tick (Handle::tick(), 1 ms by default) are
/// rounded up to one tick: the driver cannot tell shorter periods apart.
/// Other intervals are kept exactly; the wheel still rounds each deadline up
/// to its tick, which shows as drift.
///
/// Errors: a zero or negative interval, a negative start delay, or
/// auto_start off together with a start delay or first_tick_at_start is
/// errc::invalid_argument (constructors throw tickwheel::error; reset()
/// returns it for a bad interval or delay and leaves the timer as it was).
/// An empty handle or a dead driver is errc::shutdown; once the driver is
/// gone, waits report errc::shutdown. After stop(), waits report
/// errc::receiver_stopped until reset(); a tick that was ready before stop()
/// is still delivered once.
class Interval {
 public:
  using callback = std::function<void(const IntervalTick&)>;

  /// An empty interval, tied to no driver.
  Interval() noexcept = default;

  /// Without a callback: ticks are taken with consume() / wait() / subscribe().
  Interval(const Handle& handle, duration interval, AnyMissedTickPolicy policy = {},
           IntervalOptions options = {});
  /// With `on_tick`, a copyable `void(const IntervalTick&)` callable (held
  /// in a std::function) run on the driver's thread for every tick. If it throws, the exception
  /// leaves the driver's turn() and the timer keeps its schedule.
  template <class F>
  requires std::is_invocable_v<F&, const IntervalTick&> Interval(const Handle& handle,
                                                                 duration interval,
                                                                 AnyMissedTickPolicy policy,
                                                                 IntervalOptions options,
                                                                 F&& on_tick)
      : Interval(handle, interval, std::move(policy), options, callback(std::forward<F>(on_tick)),
                 0) {}

  Interval(Interval&&) noexcept = default;
  Interval& operator=(Interval&& other) noexcept;
  /// Stops the timer (waiters get errc::receiver_stopped). If the callback
  /// is running on the driver's thread at that moment it is not waited for.
  ~Interval();

  /// The period in effect (after rounding up to the wheel's tick).
  [[nodiscard]] duration interval() const noexcept;
  /// The start delay of the current schedule: the constructor's until the
  /// first reset, then that reset's (0 for reset() and reset(interval)).
  [[nodiscard]] duration start_delay() const noexcept;
  /// True between a start (construction with auto_start, reset(), a first
  /// wait) and stop() or the driver's end.
  [[nodiscard]] bool is_running() const noexcept;
  /// When the next tick is (or, if ready(), was) scheduled; nullopt unless
  /// running.
  [[nodiscard]] std::optional<time_point> next_tick() const noexcept;

  /// Restarts from the clock's now (also a stopped timer, or one made with
  /// auto_start off that has not started): the tick count starts again at 1,
  /// a ready tick not yet taken is dropped, waiters stay registered for the
  /// new schedule's first tick. None of the constructor's start_delay and
  /// first_tick_at_start carries over:
  ///
  ///   reset()                        current interval, first tick at now + interval
  ///   reset(interval)                new interval, first tick at now + interval
  ///   reset(interval, start_delay)   new interval, first tick at now + start_delay + interval
  ///   reset(ResetOptions)            any of these, or with first_tick_at_start the
  ///                                  first tick at now + start_delay
  ///
  /// errc::invalid_argument (nothing changed) for an interval <= 0 or a
  /// negative start delay, errc::shutdown if the driver is gone.
  std::error_code reset() noexcept;
  std::error_code reset(duration interval) noexcept;
  std::error_code reset(duration interval, duration start_delay) noexcept;
  std::error_code reset(const ResetOptions& options) noexcept;

  /// Stops the timer: no more ticks until reset(); waiters are told
  /// errc::receiver_stopped at once. Idempotent.
  void stop() noexcept;

  /// True if a tick is due and not yet taken (no-callback use).
  [[nodiscard]] bool ready() const noexcept;
  /// Takes the ready tick into `out`: {} on success; if none is ready
  /// std::errc::operation_would_block, errc::receiver_stopped (stopped),
  /// errc::shutdown (driver gone) or errc::invalid_argument (callback use).
  /// Never blocks.
  std::error_code consume(IntervalTick& out) noexcept;
  /// Blocks until a tick can be taken, takes it into `out`, and returns {}
  /// or the error consume() would give. Starts a timer made with auto_start
  /// off. On the driver's thread it turns the driver itself meanwhile (from
  /// a timer callback that is an error: errc::invalid_argument).
  std::error_code wait(IntervalTick& out);

  /// Registers `w` to be told when a tick becomes ready ({}), or when the
  /// timer is stopped (errc::receiver_stopped) or its driver goes away
  /// (errc::shutdown). False, and nothing registered, if there is no need to
  /// wait (a tick is ready, or the timer is stopped or gone): call consume().
  /// Starts a timer made with auto_start off. `w` is told at most once and
  /// must stay alive until told or unsubscribed.
  bool subscribe(detail::Waiter* w) noexcept;
  /// Takes `w` back; false if it was not registered (already told, or being told).
  bool unsubscribe(detail::Waiter* w) noexcept;

  [[nodiscard]] const Handle& handle() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(state_); }

 private:
  Interval(const Handle& handle, duration interval, AnyMissedTickPolicy policy,
           IntervalOptions options, callback on_tick, int /*tag*/);
  void release() noexcept;

  Handle handle_;
  detail::EntryRef entry_;
  std::shared_ptr<detail::IntervalState> state_;
};

}  // namespace tickwheel
