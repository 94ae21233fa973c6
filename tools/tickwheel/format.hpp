// File: how the tool writes durations in its messages: short and in the
// syntax parse_duration reads back (`2s`, `500ms`, `1m30s`, `1.5s`), plus the
// fixed-width forms of `every --report` lines.
#pragma once

#include <string>

#include "tickwheel/chrono.hpp"

namespace tickwheel::cli {

/// `0s`, `2s`, `1m30s`, `1h`, `500ms`, `250us`, `7ns`, `1.5s`: whole seconds
/// as h/m/s components, a span below one second in the largest unit that
/// holds it exactly, anything else as seconds with the fraction it needs.
/// Negative spans get a leading `-`.
[[nodiscard]] std::string format_short(duration d);

/// Seconds with exactly three decimals, sign included: `+3.000s`, `-0.250s`
/// (rounded toward zero to the millisecond).
[[nodiscard]] std::string format_offset(duration d);

/// Milliseconds with one decimal: `1.2ms`, `0.0ms`, `1500.0ms` (rounded
/// toward zero to 0.1 ms).
[[nodiscard]] std::string format_drift(duration d);

}  // namespace tickwheel::cli
