// File: the time-value syntax: TimeValue (exact nanoseconds or infinity), the
// parser for the strings people write ("1:30", "1.5", "250ms", "1h30m", "inf"),
// the canonical formatter, and the ParseError it throws.
//
// Exactness: numbers are read digit by digit into integers; no value ever goes
// through a double. A value that is not a whole number of nanoseconds rounds up
// (toward +infinity), so a timer built from it is never early.
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <ratio>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "tickwheel/chrono.hpp"
#include "tickwheel/error.hpp"

namespace tickwheel {

/// A parsed time value: an exact, signed count of nanoseconds, or infinity
/// (a distinct value: a timer with an infinite interval never expires).
/// Infinity compares greater than every finite value, including the largest.
///
/// Thread safety: a plain value; copies are independent.
/// Bad input: constructing from a floating-point duration that is NaN, negative
/// infinity or beyond the int64 nanosecond range throws
/// error(errc::invalid_argument); +infinity gives infinite(). Integer durations
/// round up to whole nanoseconds and saturate at the int64 range.
class TimeValue {
 public:
  /// Zero.
  constexpr TimeValue() noexcept = default;

  /// Implicit: a std::chrono duration *is* a time value (see the class
  /// comment for rounding and bad input).
  template <class Rep, class Period>
  constexpr TimeValue(std::chrono::duration<Rep, Period> d)  // NOLINT(google-explicit-constructor)
      : ns_(0) {
    if constexpr (std::is_floating_point_v<Rep>) {
      if (d.count() == std::numeric_limits<Rep>::infinity()) {
        infinite_ = true;
        ns_ = detail::i64_max;
        return;
      }
    }
    ns_ = checked_nanoseconds(d).count();
  }

  /// Never expires.
  [[nodiscard]] static constexpr TimeValue infinite() noexcept {
    TimeValue v;
    v.infinite_ = true;
    v.ns_ = detail::i64_max;
    return v;
  }
  [[nodiscard]] static constexpr TimeValue from_nanoseconds(std::int64_t ns) noexcept {
    TimeValue v;
    v.ns_ = ns;
    return v;
  }

  [[nodiscard]] constexpr bool is_infinite() const noexcept { return infinite_; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return ns_ < 0; }
  [[nodiscard]] constexpr bool is_zero() const noexcept { return !infinite_ && ns_ == 0; }

  /// Nanoseconds; INT64_MAX for infinity.
  [[nodiscard]] constexpr std::int64_t count() const noexcept { return ns_; }
  /// As tickwheel::duration; duration::max() for infinity.
  [[nodiscard]] constexpr duration to_duration() const noexcept { return duration{ns_}; }

  /// As any std::chrono duration: integer targets round up to the target's
  /// tick (never early) and saturate at its range; floating targets are the
  /// nearest value. Infinity gives ToDuration::max() (saturation, not an
  /// IEEE infinity, for every representation).
  template <class ToDuration>
  [[nodiscard]] constexpr ToDuration to() const noexcept {
    using rep = typename ToDuration::rep;
    if (infinite_) return ToDuration::max();
    if constexpr (std::is_floating_point_v<rep>) {
      return std::chrono::duration_cast<ToDuration>(duration{ns_});
    } else {
      static_assert(std::is_integral_v<rep> && sizeof(rep) <= 8,
                    "an integer duration of at most 64 bits");
      using ratio = std::ratio_divide<std::nano, typename ToDuration::period>;
      __extension__ typedef __int128 wide;
      const wide v = static_cast<wide>(ns_) * ratio::num;
      wide q = v / ratio::den;
      if (v % ratio::den != 0 && v > 0) ++q;
      const wide hi = static_cast<wide>(std::numeric_limits<rep>::max());
      const wide lo = static_cast<wide>(std::numeric_limits<rep>::lowest());
      if (q > hi) q = hi;
      if (q < lo) q = lo;
      return ToDuration{static_cast<rep>(q)};
    }
  }

  template <class Rep, class Period>
  constexpr explicit operator std::chrono::duration<Rep, Period>() const noexcept {
    return to<std::chrono::duration<Rep, Period>>();
  }

  // Member order makes the defaulted ordering put infinity above every
  // finite value (and all infinities equal: ns_ is fixed for them).
  friend constexpr auto operator<=>(const TimeValue&, const TimeValue&) noexcept = default;
  friend constexpr bool operator==(const TimeValue&, const TimeValue&) noexcept = default;

 private:
  bool infinite_ = false;
  std::int64_t ns_ = 0;
};

/// Thrown by parse_duration: errc::parse_error, with what() naming the
/// offending element, the whole input and the position, e.g.
/// `tickwheel: non-numeric element 'x' in time string '1:x' (at 2)`.
/// Thread safety: immutable after construction.
class ParseError : public error_with_text {
 public:
  ParseError(std::size_t position, const std::string& what)
      : error_with_text(errc::parse_error, what), position_(position) {}
  /// 0-based byte offset into the input where the problem is: the first
  /// character of the offending element, of the unexpected text after a
  /// number, or (for an empty field) where the field would start.
  [[nodiscard]] std::size_t position() const noexcept { return position_; }

 private:
  std::size_t position_;
};

/// Policies of parse_duration. A plain aggregate.
struct ParseOptions {
  /// When false, a value whose total is negative (e.g. "-5", "1:-90") is a
  /// parse error at the start of the value. The default accepts it: the syntax
  /// has negative numbers, and whether a negative span makes sense is the
  /// consumer's decision (PollTimer rejects negative intervals).
  bool allow_negative = true;
};

/// Parses a time value. The accepted syntax, all of it ASCII except the micro
/// sign:
///
///  - empty, or only white space: zero.
///  - `inf`, `+inf`, `infinity`, `+infinity` (any case), alone with optional
///    surrounding white space: TimeValue::infinite(). `-inf` is an error:
///    nothing waits for negative infinity. Infinity is not accepted inside a
///    larger value (`1:inf`, `infms`).
///  - seconds and colon fields `[[[D:]H:]M:]S`, right-aligned: the last field
///    is seconds, then minutes, hours, days; at most four fields, none empty.
///    A field may exceed its unit (`1:90` is 150 s) and each field carries its
///    own sign, so `1:-30` is 30 s and `-1:30` is -30 s.
///  - the unit form: one or more `<number><unit>` components, units `d`, `h`,
///    `m`, `s`, `ms`, `us`, `µs` (U+00B5 or U+03BC), `ns`, case-sensitive,
///    each unit at most once and larger units first (`1h30m15s`, `1d2h`,
///    `1.5s`, `250ms`). White space may separate components and a number from
///    its unit. A sign is allowed only at the very start and applies to the
///    whole value (`-1h30m` is -90 min), unlike the per-field signs of the
///    colon form. Every component needs a unit; a lone number without one is
///    seconds (the first form). Units and colons do not mix.
///  - a number is what Perl reads as one: optional sign, digits with an
///    optional fraction (`5`, `5.`, `.5`, `1.25`), an optional exponent
///    (`1e3`, `2.5E-1`); white space around it. No hex, no `_`, no sign
///    followed by space. An exponent beyond ±10^15 on a non-zero number is an
///    error (zero with any exponent is zero). White space is ASCII space, tab,
///    newline, carriage return, vertical tab and form feed.
///
/// The result is exact: a value that is a whole number of nanoseconds is that
/// number; anything finer rounds up toward +infinity (`1e-10` is 1 ns, `-1e-10`
/// is 0). Every field or component must on its own stay within 2^63 ns (about
/// 292 years) in magnitude, and the total within the int64 nanosecond range;
/// otherwise it is an error, reported at the first field out of range, else at
/// the start of the value.
///
/// Throws ParseError (errc::parse_error) for malformed input. Complexity:
/// linear in the length of `text`; allocates only to build an error message.
/// Thread safety: a pure function.
[[nodiscard]] TimeValue parse_duration(std::string_view text, ParseOptions options = {});

/// Non-throwing form: on failure sets `ec` to errc::parse_error, stores the
/// error's position in `*position` (when given) and returns zero; on success
/// clears `ec` and leaves `*position` alone.
[[nodiscard]] TimeValue parse_duration(std::string_view text, std::error_code& ec,
                                       std::size_t* position = nullptr,
                                       ParseOptions options = {}) noexcept;

/// The canonical text of a value: `inf`, or plain seconds with the fraction's
/// trailing zeros removed and no exponent: `0`, `90`, `-0.5`,
/// `3723.000000001`, `-9223372036.854775808`. parse_duration reads it back to
/// exactly the same value.
/// Thread safety: a pure function. Throws only std::bad_alloc.
[[nodiscard]] std::string format_duration(TimeValue value);

/// Writes format_duration(value).
std::ostream& operator<<(std::ostream& os, TimeValue value);

}  // namespace tickwheel
