// File (private): the schedule of one Interval, shared by the Interval
// object and the callback stored in its TimerEntry (which keeps it alive
// while the driver may still run it). Every field below the mutex is read
// and written under it; user code (the tick callback, waiters) is never
// called with it held, so that code may call back into the Interval.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/detail/timer_entry.hpp"
#include "tickwheel/interval.hpp"
#include "tickwheel/missed_tick_policy.hpp"

namespace tickwheel::detail {

struct IntervalState {
  enum class phase : std::uint8_t {
    idle,     // made with auto_start off, not started yet
    running,  // ticking
    stopped,  // stop() (or the Interval is gone): only reset() restarts
    ended,    // the driver went away, or re-arming failed: see `failure`
  };

  IntervalState(ClockRef c, AnyMissedTickPolicy p, Interval::callback f, bool at_start, duration i,
                duration d)
      : clock(c),
        policy(std::move(p)),
        on_tick(std::move(f)),
        interval(i),
        start_delay(d),
        first_tick_at_start(at_start) {}

  /// Starts (or restarts) the schedule from the clock's now and arms
  /// `entry` for the first tick. Caller holds the mutex.
  std::error_code start_locked(TimerEntry& entry);
  /// Stops ticking; returns the waiters to tell. Caller holds the mutex.
  std::vector<Waiter*> stop_locked() noexcept;
  /// The error for a wait that found no tick ready, by phase.
  [[nodiscard]] std::error_code no_tick_error_locked() const noexcept;
  /// Arms `entry` for `scheduled`; on failure the timer ends. Caller holds the mutex.
  void arm_locked(TimerEntry& entry);
  /// Delivers the tick `scheduled` as handled at `now` into `out` and moves
  /// `scheduled` to the policy's next tick; false (the timer ended) if the
  /// policy threw. Caller holds the mutex.
  bool take_tick_locked(time_point now, IntervalTick& out) noexcept;

  /// The entry's completion, on the driver's thread: a tick fell due (`ec`
  /// empty) or the driver is going away (errc::shutdown).
  void on_fire(TimerEntry& entry, std::error_code ec);

  /// Tells each of `waiters` `ec` (without the mutex held).
  static void notify(std::vector<Waiter*> waiters, std::error_code ec) noexcept;

  const ClockRef clock;
  const AnyMissedTickPolicy policy;
  const Interval::callback on_tick;  // empty: ticks are pulled

  mutable std::mutex mutex;
  // The schedule's parameters: the constructor's, then each reset's.
  duration interval;
  duration start_delay;
  bool first_tick_at_start;
  std::optional<time_point> start_at;  // IntervalOptions::start_at, for the first start only
  phase state = phase::idle;
  std::error_code failure;  // why the timer ended
  time_point scheduled{};   // of the pending (or ready) tick
  bool ready = false;       // pulled use: `scheduled` is due and not taken
  std::uint64_t ticks = 0;  // delivered since the last start
  std::uint64_t epoch = 0;  // bumped by every start and stop
  std::vector<Waiter*> waiters;
};

}  // namespace tickwheel::detail
