// File: the Now abstraction. A clock is any type with `time_point now()`;
// SteadyClock reads the real monotonic clock, ManualClock (manual_clock.hpp)
// is virtual time for tests and simulation.
#pragma once

#include <chrono>
#include <concepts>

#include "tickwheel/chrono.hpp"

namespace tickwheel {

/// A source of the current time on the steady timeline.
template <class C>
concept Now = requires(C& c) {
  { c.now() } -> std::same_as<time_point>;
};

/// The real clock: std::chrono::steady_clock.
/// Thread safety: stateless; safe from any thread.
class SteadyClock {
 public:
  [[nodiscard]] time_point now() const noexcept { return std::chrono::steady_clock::now(); }
};

static_assert(Now<SteadyClock>);

}  // namespace tickwheel
