// File: missed-tick policies of Interval: what a periodic timer does when a
// tick is handled late, possibly so late that later ticks were due too.
//
// A policy is any copyable type with one const member,
//
//   time_point next_tick(duration interval, time_point scheduled, time_point now) const;
//
// which, given the interval, the time the tick just handled was scheduled
// for and the time it was handled (now >= scheduled), returns when the next
// tick is scheduled. The three built-in policies:
//
//   TriggerAllMissed       scheduled + interval: every missed tick is still
//                          delivered, in a burst, and the grid is kept.
//   SkipMissedAndResync    the first grid point (start + k * interval)
//                          strictly after now: missed ticks are dropped,
//                          the grid is kept.
//   SkipMissedAndDrift     if the tick was more than `delay_tolerance` late,
//                          now + interval (the grid moves to now); otherwise
//                          like SkipMissedAndResync.
//
// For interval 1 s, a tick scheduled at 3 s and handled at 4.3 s:
// TriggerAllMissed answers 4 s (already due: a catch-up tick follows at
// once), SkipMissedAndResync 5 s, SkipMissedAndDrift{100ms} 5.3 s.
//
// All arithmetic is on 64-bit nanosecond counts, exact for any scheduled <=
// now across the whole time_point range (the lateness is an unsigned 64-bit
// difference, which always fits); only the returned time saturates, at
// time_point::max(). There is no floating point anywhere.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "tickwheel/chrono.hpp"
#include "tickwheel/error.hpp"

namespace tickwheel {

/// What Interval needs of a missed-tick policy. Interval calls next_tick()
/// on the driver's thread (callback use) or on the consuming thread, one
/// call at a time, with interval > 0 and now >= scheduled; a result that is
/// not strictly after `scheduled` is treated as scheduled + interval, so a
/// faulty policy cannot stall the timer.
template <class P>
concept MissedTickPolicy = std::copy_constructible<P> &&
    requires(const P& policy, duration interval, time_point scheduled, time_point now) {
  { policy.next_tick(interval, scheduled, now) } -> std::same_as<time_point>;
};

namespace detail {

/// How much later `now` is than `scheduled`, as an unsigned count: the
/// difference of two int64 values always fits in 64 unsigned bits, where a
/// signed difference would saturate and put the result on the wrong side of
/// `now`. Precondition: now >= scheduled.
[[nodiscard]] constexpr std::uint64_t lateness(time_point scheduled, time_point now) noexcept {
  // Modular subtraction: exact because the true difference is in [0, 2^64).
  return static_cast<std::uint64_t>(now.time_since_epoch().count()) -
         static_cast<std::uint64_t>(scheduled.time_since_epoch().count());
}

/// The first point of the grid {scheduled + k * interval, k >= 1} that is
/// strictly after `now`, saturated at time_point::max(). Exact for every
/// scheduled <= now; for now < scheduled, scheduled + interval.
/// Precondition: interval > 0.
[[nodiscard]] constexpr time_point next_grid_point(duration interval, time_point scheduled,
                                                   time_point now) noexcept {
  if (now < scheduled) return saturating_add(scheduled, interval);
  const auto step = static_cast<std::uint64_t>(interval.count());
  // Going back from now to the last grid point at or before it cannot leave
  // the int64 range (that point is >= scheduled), so only the final step
  // forward can overflow, and that is where it saturates.
  const auto past_grid = static_cast<std::int64_t>(lateness(scheduled, now) % step);
  return saturating_add(now - duration{past_grid}, interval);
}

}  // namespace detail

/// Delivers every tick: a late tick is followed at once by the ticks that
/// fell due meanwhile (a burst), and the schedule never moves.
struct TriggerAllMissed {
  [[nodiscard]] constexpr time_point next_tick(duration interval, time_point scheduled,
                                               time_point /*now*/) const noexcept {
    return saturating_add(scheduled, interval);
  }
};

/// Drops the ticks that fell due while a tick was late and keeps the
/// original grid: the next tick is the first grid point after now.
struct SkipMissedAndResync {
  [[nodiscard]] constexpr time_point next_tick(duration interval, time_point scheduled,
                                               time_point now) const noexcept {
    return detail::next_grid_point(interval, scheduled, now);
  }
};

/// Drops missed ticks; a tick more than `delay_tolerance` late moves the
/// grid so that the next tick is one interval after it was handled (the
/// timer behaves as if reset at that moment). A delay of at most the
/// tolerance, equal included, keeps the grid (as SkipMissedAndResync), so
/// small jitter does not accumulate.
class SkipMissedAndDrift {
 public:
  /// Zero tolerance: any delay moves the grid. Note that the wheel rounds
  /// deadlines up to its tick, so a tolerance below the tick length lets
  /// that rounding alone move the grid.
  constexpr SkipMissedAndDrift() noexcept = default;
  /// Throws tickwheel::error(errc::invalid_argument) for a negative tolerance.
  template <class Rep, class Period>
  constexpr explicit SkipMissedAndDrift(std::chrono::duration<Rep, Period> tolerance)
      : tolerance_(checked_nanoseconds(tolerance)) {
    if (tolerance_ < duration::zero()) {
      throw error(errc::invalid_argument, "SkipMissedAndDrift: negative delay tolerance");
    }
  }

  [[nodiscard]] constexpr time_point next_tick(duration interval, time_point scheduled,
                                               time_point now) const noexcept {
    if (now > scheduled &&
        detail::lateness(scheduled, now) > static_cast<std::uint64_t>(tolerance_.count())) {
      return saturating_add(now, interval);
    }
    return detail::next_grid_point(interval, scheduled, now);
  }

  [[nodiscard]] constexpr duration delay_tolerance() const noexcept { return tolerance_; }

 private:
  duration tolerance_{0};  // never negative
};

/// Any MissedTickPolicy, held by value: what Interval stores, so that an
/// Interval's type does not depend on its policy. The built-in policies are
/// held inline; another policy is copied once to the heap and shared by the
/// copies of this holder (its next_tick() is const: sharing is invisible
/// unless it has mutable state, which must then be thread-safe).
///
/// Thread safety: const members may be called concurrently.
class AnyMissedTickPolicy {
 public:
  /// TriggerAllMissed.
  AnyMissedTickPolicy() noexcept = default;
  // The same_as test comes first: checking the concept on this class itself
  // would recurse through its own copy constructor.
  template <class P>
  requires(!std::same_as<std::remove_cvref_t<P>, AnyMissedTickPolicy> && MissedTickPolicy<P>)
      AnyMissedTickPolicy(P policy)  // NOLINT(google-explicit-constructor): a policy *is* one
      : held_(hold(std::move(policy))) {}

  /// The policy's answer, made strictly later than `scheduled` (see
  /// MissedTickPolicy). Preconditions: interval > 0, now >= scheduled.
  [[nodiscard]] time_point next_tick(duration interval, time_point scheduled,
                                     time_point now) const {
    const time_point next =
        std::visit([&](const auto& p) { return p.next_tick(interval, scheduled, now); }, held_);
    if (next > scheduled) return next;
    return saturating_add(scheduled, interval);
  }

 private:
  struct custom {
    std::shared_ptr<const void> object;
    time_point (*call)(const void*, duration, time_point, time_point);
    [[nodiscard]] time_point next_tick(duration interval, time_point scheduled,
                                       time_point now) const {
      return call(object.get(), interval, scheduled, now);
    }
  };
  using storage = std::variant<TriggerAllMissed, SkipMissedAndResync, SkipMissedAndDrift, custom>;

  template <class P>
  static storage hold(P policy) {
    if constexpr (std::same_as<P, TriggerAllMissed> || std::same_as<P, SkipMissedAndResync> ||
                  std::same_as<P, SkipMissedAndDrift>) {
      return policy;
    } else {
      return custom{std::make_shared<const P>(std::move(policy)),
                    [](const void* p, duration i, time_point s, time_point n) {
                      return static_cast<const P*>(p)->next_tick(i, s, n);
                    }};
    }
  }

  storage held_;
};

static_assert(MissedTickPolicy<TriggerAllMissed>);
static_assert(MissedTickPolicy<SkipMissedAndResync>);
static_assert(MissedTickPolicy<SkipMissedAndDrift>);

}  // namespace tickwheel
