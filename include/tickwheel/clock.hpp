// File: the Now abstraction. A clock is any type with `time_point now()`;
// SteadyClock reads the real monotonic clock, ManualClock (manual_clock.hpp)
// is virtual time for tests and simulation, and ClockRef lets the layers that
// are not templates (drivers, poll timers, idle timers) read either.
#pragma once

#include <chrono>
#include <concepts>

#include "tickwheel/chrono.hpp"

namespace tickwheel {

/// A source of the current time on the steady timeline.
template <class C>
concept Now = requires(const C& c) {
  { c.now() } -> std::same_as<time_point>;
};

/// The real clock: std::chrono::steady_clock (CLOCK_MONOTONIC on Linux).
/// Thread safety: stateless; safe from any thread.
class SteadyClock {
 public:
  [[nodiscard]] time_point now() const noexcept { return std::chrono::steady_clock::now(); }
  /// The smallest step the clock reports (the never-early fudge of a PollTimer).
  [[nodiscard]] static duration resolution() noexcept;
};

static_assert(Now<SteadyClock>);

/// A non-owning, type-erased reference to a clock: two words, copied by
/// value. A default-constructed ClockRef reads SteadyClock. The referenced
/// clock must outlive every ClockRef to it.
/// Thread safety: as safe as the referenced clock's now() (both clocks of
/// tickwheel may be read from any thread).
class ClockRef {
 public:
  ClockRef() noexcept : obj_(nullptr), read_(&read_steady), resolution_(&steady_resolution) {}

  template <Now C>
  requires(!std::same_as<C, ClockRef>) ClockRef(const C& clock)
  noexcept  // NOLINT(google-explicit-constructor): a clock *is* a ClockRef
      : obj_(&clock), read_(&read<C>), resolution_(&resolution_of<C>) {}

  [[nodiscard]] time_point now() const { return read_(obj_); }
  /// The clock's resolution if it declares one (a `resolution()` member),
  /// else one nanosecond.
  [[nodiscard]] duration resolution() const { return resolution_(obj_); }
  /// True when this refers to the real steady clock (no virtual time).
  [[nodiscard]] bool is_steady() const noexcept { return obj_ == nullptr; }

 private:
  static time_point read_steady(const void*) { return std::chrono::steady_clock::now(); }
  static duration steady_resolution(const void*) { return SteadyClock::resolution(); }
  template <class C>
  static time_point read(const void* c) {
    return static_cast<const C*>(c)->now();
  }
  template <class C>
  static duration resolution_of(const void* c) {
    if constexpr (requires(const C& x) {
                    { x.resolution() } -> std::convertible_to<duration>;
                  }) {
      return static_cast<const C*>(c)->resolution();
    } else {
      return duration{1};
    }
  }

  const void* obj_;
  time_point (*read_)(const void*);
  duration (*resolution_)(const void*);
};

static_assert(Now<ClockRef>);

}  // namespace tickwheel
