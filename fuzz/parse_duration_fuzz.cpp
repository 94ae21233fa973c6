// libFuzzer target for parse_duration (clang only; TICKWHEEL_BUILD_FUZZ=ON).
//
// Checks, beyond "no crash, no UB" (the build adds ASan and UBSan):
//  - the throwing and non-throwing forms agree on value, failure and position;
//  - a reported error position lies inside the input (or at its end);
//  - everything that parses round-trips: format -> parse gives the same
//    value, and format is a fixed point (canonical);
//  - refusing negatives changes exactly the negative results.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

#include "tickwheel/parse_duration.hpp"

namespace {

[[noreturn]] void fail() { std::abort(); }

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
  return 0;
}
