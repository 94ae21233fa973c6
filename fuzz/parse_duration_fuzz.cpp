// libFuzzer target for parse_duration (clang only; TICKWHEEL_BUILD_FUZZ=ON).
//
// Checks, beyond "no crash, no UB" (the build adds ASan and UBSan):
//  - the throwing and non-throwing forms agree on value, failure and position;
//  - a reported error position lies inside the input (or at its end);
//  - everything that parses round-trips: format -> parse gives the same
//    value, and format is a fixed point (canonical);
//  - refusing negatives changes exactly the negative results;
//  - a plain decimal number x reads the same through the other code paths
//    (exponent and unit scaling, colon fields), and rounding is toward
//    +infinity: parse(x) + parse(-x) is 0 or 1 ns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

#include "tickwheel/parse_duration.hpp"

namespace {

[[noreturn]] void fail() { std::abort(); }

bool is_plain_decimal(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return digit;
}

// Cross-checks for an unsigned plain decimal `x` (no sign, no exponent) that
// parsed to `value`.
void check_plain(std::string_view x, tickwheel::TimeValue value) {
  using namespace tickwheel;
  const std::string s(x);
  for (const std::string& other : {s + "e3ms", s + "e9ns", s + "e-3ks", "0:0:0:" + s, "+" + s}) {
    std::error_code ec;
    const TimeValue v = parse_duration(other, ec);
    if (other.ends_with("ks")) {  // not a unit: must be refused
      if (!ec) fail();
      continue;
    }
    if (ec || v != value) fail();
  }
  std::error_code ec;
  const TimeValue negative = parse_duration("-" + s, ec);
  if (ec) return;  // exactly 2^63 ns fits only negated; the other way is covered above
  const std::int64_t sum = value.count() + negative.count();
  if (sum != 0 && sum != 1) fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tickwheel;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::error_code ec;
  std::size_t position = SIZE_MAX;
  const TimeValue value = parse_duration(text, ec, &position);

  if (ec) {
    if (ec != errc::parse_error || position > size || value != TimeValue{}) fail();
    try {
      (void)parse_duration(text);
      fail();
    } catch (const ParseError& e) {
      if (e.position() != position || e.code() != errc::parse_error) fail();
      if (std::string_view(e.what()).empty()) fail();
    }
    return 0;
  }
  if (position != SIZE_MAX) fail();  // untouched on success
  if (parse_duration(text) != value) fail();

  const std::string formatted = format_duration(value);
  std::error_code ec2;
  const TimeValue back = parse_duration(formatted, ec2);
  if (ec2 || back != value) fail();
  if (format_duration(back) != formatted) fail();

  std::error_code ec3;
  const TimeValue strict =
      parse_duration(text, ec3, nullptr, ParseOptions{.allow_negative = false});
  if (value.is_negative() != static_cast<bool>(ec3)) fail();
  if (!ec3 && strict != value) fail();

  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && text[b] == ' ') ++b;
  while (e > b && text[e - 1] == ' ') --e;
  if (is_plain_decimal(text.substr(b, e - b))) check_plain(text.substr(b, e - b), value);
  return 0;
}
