// File: the time types of the public API and the one place where a
// std::chrono duration becomes an integer tick count.
//
// Conversions saturate instead of overflowing and round deadlines *up*, so a
// timer can fire late but never early. Floating durations are checked: NaN and
// values beyond the 64-bit range are rejected rather than turned into garbage.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tickwheel/error.hpp"

namespace tickwheel {

/// Every clock of tickwheel reads this type: real or virtual, a point on the
/// steady timeline, so a ManualClock can stand in for SteadyClock unchanged.
using time_point = std::chrono::steady_clock::time_point;
using duration = std::chrono::nanoseconds;

namespace detail {

inline constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();

/// Saturating a + b on int64.
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? i64_max : i64_min;
  return r;
}

/// Saturating a - b on int64.
constexpr std::int64_t sat_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? i64_max : i64_min;
  return r;
}

}  // namespace detail

/// Converts any std::chrono duration to nanoseconds, rounding up and
/// saturating at the int64 range. Returns false (and leaves `out` alone) for
/// a NaN or a floating value outside the range, which callers report as
/// errc::invalid_argument.
template <class Rep, class Period>
[[nodiscard]] constexpr bool to_nanoseconds(std::chrono::duration<Rep, Period> d,
                                            duration& out) noexcept {
  using ratio = std::ratio_divide<Period, std::nano>;
  if constexpr (std::is_floating_point_v<Rep>) {
    const long double ns = static_cast<long double>(d.count()) * ratio::num / ratio::den;
    if (std::isnan(ns)) return false;
    // 2^63 is exactly representable; anything at or beyond it cannot be held.
    constexpr long double limit = 9223372036854775808.0L;
    if (ns >= limit || ns < -limit) return false;
    const long double up = std::ceil(ns);
    out = duration{up >= limit ? detail::i64_max : static_cast<std::int64_t>(up)};
    return true;
  } else {
    static_assert(std::is_integral_v<Rep>, "durations need an arithmetic representation");
    // Exact integer arithmetic with 128 bits, then saturate.
    __extension__ typedef __int128 wide;  // exact, no overflow for any ratio we meet
    wide v = static_cast<wide>(d.count()) * ratio::num;
    // Round up: ceil(v / den) for either sign.
    wide q = v / ratio::den;
    if (v % ratio::den != 0 && v > 0) ++q;
    if (q > detail::i64_max) q = detail::i64_max;
    if (q < detail::i64_min) q = detail::i64_min;
    out = duration{static_cast<std::int64_t>(q)};
    return true;
  }
}

/// Throwing form of to_nanoseconds: throws tickwheel::error(invalid_argument).
template <class Rep, class Period>
[[nodiscard]] constexpr duration checked_nanoseconds(std::chrono::duration<Rep, Period> d) {
  duration out{};
  if (!to_nanoseconds(d, out))
    throw error(errc::invalid_argument, "duration is NaN or out of range");
  return out;
}

/// `t + d`, saturating at the ends of the time_point range instead of wrapping.
[[nodiscard]] constexpr time_point saturating_add(time_point t, duration d) noexcept {
  return time_point{duration{detail::sat_add(t.time_since_epoch().count(), d.count())}};
}

/// The deadline of a timer set for `d` from `now`. A negative `d` means
/// already due: the deadline is `now` itself, so that it stays a valid
/// deadline even on a clock that has just started at its epoch.
[[nodiscard]] constexpr time_point deadline_after(time_point now, duration d) noexcept {
  return d < duration::zero() ? now : saturating_add(now, d);
}

}  // namespace tickwheel
