#include "tickwheel/parse_duration.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tickwheel::format_duration;
using tickwheel::parse_duration;
using tickwheel::ParseError;
using tickwheel::TimeValue;

namespace {

constexpr std::int64_t sec = 1'000'000'000;

std::int64_t ns(std::string_view text) { return parse_duration(text).count(); }

struct Bad {
  std::string text;
  std::size_t position;
  std::string element;  // must appear quoted in what()
};

}  // namespace

TEST(ParseDuration, SeedTimeValueExamples) {
  EXPECT_EQ(ns("1"), 1 * sec);
  EXPECT_EQ(ns("1.1"), 1'100'000'000);
  EXPECT_EQ(ns("60"), 60 * sec);
  EXPECT_EQ(ns("1:0"), 60 * sec);
  EXPECT_EQ(ns("1:1"), 61 * sec);
  EXPECT_EQ(ns("1:90"), 150 * sec);
  EXPECT_EQ(ns("1:2:3:4.5"), ((1 * 24 + 2) * 60 + 3) * 60 * sec + 4'500'000'000);
  EXPECT_TRUE(parse_duration("inf").is_infinite());
}

TEST(ParseDuration, InfinitySpellings) {
  for (const char* s :
       {"inf", "INF", "Inf", "+inf", "infinity", "Infinity", "+INFINITY", "  inf\t"}) {
    const TimeValue v = parse_duration(s);
    EXPECT_TRUE(v.is_infinite()) << s;
    EXPECT_EQ(v, TimeValue::infinite()) << s;
  }
}

TEST(ParseDuration, EmptyOrBlankIsZero) {
  EXPECT_EQ(parse_duration(""), TimeValue{});
  EXPECT_EQ(parse_duration("   \t\n"), TimeValue{});
  EXPECT_TRUE(parse_duration(" ").is_zero());
}

TEST(ParseDuration, NumbersAsPerlWritesThem) {
  EXPECT_EQ(ns(".5"), sec / 2);
  EXPECT_EQ(ns("5."), 5 * sec);
  EXPECT_EQ(ns("+5"), 5 * sec);
  EXPECT_EQ(ns("-5"), -5 * sec);
  EXPECT_EQ(ns("007"), 7 * sec);
  EXPECT_EQ(ns("1e3"), 1000 * sec);
  EXPECT_EQ(ns("1E+3"), 1000 * sec);
  EXPECT_EQ(ns("2.5E-1"), sec / 4);
  EXPECT_EQ(ns("5.e1"), 50 * sec);
  EXPECT_EQ(ns(".5e1"), 5 * sec);
  EXPECT_EQ(ns("  42  "), 42 * sec);
  EXPECT_EQ(ns("0e999999999999999999999"), 0);
}

TEST(ParseDuration, ColonFieldsAreRightAlignedAndSigned) {
  EXPECT_EQ(ns("1:-30"), 30 * sec);
  EXPECT_EQ(ns("-1:30"), -30 * sec);
  EXPECT_EQ(ns(" 1 : 30 "), 90 * sec);
  EXPECT_EQ(ns("1:0:0"), 3600 * sec);
  EXPECT_EQ(ns("1:0:0:0"), 86400 * sec);
  EXPECT_EQ(ns("0:0:0:0.000000001"), 1);
  EXPECT_EQ(ns("1.5:0"), 90 * sec);  // fractions in any field
  EXPECT_EQ(ns("1e1:0"), 600 * sec);
  EXPECT_EQ(ns("25:0:0"), 25 * 3600 * sec);
}

TEST(ParseDuration, UnitForms) {
  EXPECT_EQ(ns("250ms"), 250'000'000);
  EXPECT_EQ(ns("1.5s"), 1'500'000'000);
  EXPECT_EQ(ns("2m"), 120 * sec);
  EXPECT_EQ(ns("1h30m"), 5400 * sec);
  EXPECT_EQ(ns("1d"), 86400 * sec);
  EXPECT_EQ(ns("500us"), 500'000);
  EXPECT_EQ(ns("500\xC2\xB5s"), 500'000);  // U+00B5 micro sign
  EXPECT_EQ(ns("500\xCE\xBCs"), 500'000);  // U+03BC mu
  EXPECT_EQ(ns("10ns"), 10);
  EXPECT_EQ(ns("1h30m15s"), 5415 * sec);
  EXPECT_EQ(ns("1d2h"), 26 * 3600 * sec);
  EXPECT_EQ(ns("1d2h3m4s5ms6us7ns"), ((26 * 60 + 3) * 60 + 4) * sec + 5'006'007);
  EXPECT_EQ(ns("1e3ms"), sec);
  EXPECT_EQ(ns(".5h"), 1800 * sec);
  EXPECT_EQ(ns("1h 30m"), 5400 * sec);
  EXPECT_EQ(ns(" 5 ms "), 5'000'000);
}

TEST(ParseDuration, UnitFormSignLeadsTheWholeValue) {
  EXPECT_EQ(ns("-1h30m"), -5400 * sec);
  EXPECT_EQ(ns("+1h30m"), 5400 * sec);
  EXPECT_EQ(ns("-1.5s"), -1'500'000'000);
}

TEST(ParseDuration, ExactDecimalArithmetic) {
  EXPECT_EQ(ns("0.1"), 100'000'000);
  EXPECT_EQ(ns("0.3"), 300'000'000);
  EXPECT_EQ(ns("1.1"), 1'100'000'000);
  EXPECT_EQ(ns("86400.000000001"), 86400 * sec + 1);
  EXPECT_EQ(ns("0.100000000000000000000000000000000000000"), 100'000'000);
  EXPECT_EQ(ns("1234567890.123456789"), 1'234'567'890'123'456'789);
  EXPECT_EQ(ns("0.0000001e2"), 10'000);
  EXPECT_EQ(ns("1:0.1"), 60 * sec + 100'000'000);
}

TEST(ParseDuration, SubNanosecondRoundsUp) {
  EXPECT_EQ(ns("1e-9"), 1);
  EXPECT_EQ(ns("1e-10"), 1);
  EXPECT_EQ(ns("1.0000000001"), 1'000'000'001);
  EXPECT_EQ(ns("1.0000000000000000000000000000001"), 1'000'000'001);
  EXPECT_EQ(ns("-1e-10"), 0);  // toward +inf, not away from zero
  EXPECT_EQ(ns("-1.0000000001"), -sec);
  EXPECT_EQ(ns("0.5ns"), 1);
  EXPECT_EQ(ns("1e-1000000000"), 1);  // far below: still rounds up, still fast
  EXPECT_EQ(ns("-1e-1000000000"), 0);
  EXPECT_EQ(ns("1.5e-9"), 2);
}

TEST(ParseDuration, RoundsTheTotalNotEachField) {
  // 0.3 ns + 0.5 ns = 0.8 ns -> 1 ns (rounding each field up would give 2).
  EXPECT_EQ(ns("0.000000000005:0.0000000005"), 1);
  // 60 s + 0.1 ns -> 60 s + 1 ns.
  EXPECT_EQ(ns("1:0.0000000001"), 60 * sec + 1);
  // An exactly cancelling fraction stays exact.
  EXPECT_EQ(ns("0.00000000001:-0.0000000006"), 0);
  // A borrow from a far smaller negative part: 1 s - tiny -> ceil is 1 s.
  EXPECT_EQ(ns("0:0:1e-200:1"), sec + 1);
  EXPECT_EQ(ns("0:0:-1e-200:1"), sec);
}

TEST(ParseDuration, RangeIsInt64Nanoseconds) {
  EXPECT_EQ(ns("9223372036.854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(ns("-9223372036.854775808"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ns("-9223372036.8547758089"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(ns("106751:23:47:16.854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW((void)parse_duration("9223372036.854775808"), ParseError);
  EXPECT_THROW((void)parse_duration("9223372036.8547758071"), ParseError);
  EXPECT_THROW((void)parse_duration("-9223372036.854775809"), ParseError);
  EXPECT_THROW((void)parse_duration("106751:23:47:16.854775808"), ParseError);
  EXPECT_THROW((void)parse_duration("1e30"), ParseError);
  // Each field must fit on its own, even when the total would.
  EXPECT_THROW((void)parse_duration("5000000000:-300000000000"), ParseError);
  EXPECT_EQ(ns("153722867:-9223372000"), 20 * sec);  // two fields near the limit
}

TEST(ParseDuration, ErrorsNamePositionElementAndInput) {
  const std::vector<Bad> cases = {
      {"1:x", 2, "x"},
      {"1:2:3:4:5", 0, "1"},
      {"6:4:", 4, ""},
      {":5", 0, ""},
      {"1::2", 2, ""},
      {"1: :2", 2, ""},
      {"5parsecs", 1, "parsecs"},
      {"1e30", 0, "1e30"},
      {"300000000:0:0:0", 0, "300000000"},
      {"1:1e30", 2, "1e30"},
      {"5x", 1, "x"},
      {"5 6", 2, "5 6"},
      {"1.5.5", 3, "1.5.5"},
      {"1:5!", 3, "5!"},
      {"1m:30", 1, "m"},
      {"1:30s", 4, "s"},
      {"1h 30", 3, "30"},
      {"30m1h", 4, "h"},
      {"1h1h", 3, "h"},
      {"1h-30m", 2, "-30m"},
      {"1h30m!", 5, "!"},
      {"5S", 1, "S"},
      {"-inf", 0, "-inf"},
      {"1:inf", 2, "inf"},
      {"nan", 0, "nan"},
      {"+", 0, "+"},
      {".", 0, "."},
      {"- 5", 0, "-"},
      {"1e-99999999999999999999", 0, "1e-99999999999999999999"},
      {"  x  ", 2, "x"},
      {"9223372036.854775808", 0, "9223372036.854775808"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      (void)parse_duration(c.text);
      ADD_FAILURE() << "no error";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.position(), c.position);
      EXPECT_EQ(e.code(), tickwheel::errc::parse_error);
      const std::string what = e.what();
      EXPECT_NE(what.find("in time string '" + c.text + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("'" + c.element + "'"), std::string::npos) << what;
    }
    std::error_code ec;
    std::size_t position = 999;
    const TimeValue v = parse_duration(c.text, ec, &position);
    EXPECT_EQ(ec, tickwheel::errc::parse_error);
    EXPECT_EQ(position, c.position);
    EXPECT_EQ(v, TimeValue{});
  }
}

TEST(ParseDuration, ParseErrorIsATickwheelError) {
  try {
    (void)parse_duration("1:x");
    FAIL();
  } catch (const tickwheel::error& e) {
    EXPECT_EQ(e.code(), tickwheel::errc::parse_error);
    EXPECT_EQ(e.code().category().name(), std::string("tickwheel"));
  }
  static_assert(std::is_base_of_v<std::system_error, ParseError>);
}

TEST(ParseDuration, MessagesEscapeControlBytes) {
  try {
    (void)parse_duration(std::string("1:\x01", 3));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("\\x01"), std::string::npos) << e.what();
  }
}

TEST(ParseDuration, NonThrowingFormClearsAndKeeps) {
  std::error_code ec = tickwheel::errc::timed_out;
  std::size_t position = 7;
  EXPECT_EQ(parse_duration("1:30", ec, &position).count(), 90 * sec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(position, 7u);                          // untouched on success
  EXPECT_EQ(parse_duration("1:x", ec).count(), 0);  // position is optional
  EXPECT_EQ(ec, tickwheel::errc::parse_error);
  static_assert(noexcept(parse_duration(std::string_view{}, ec)));
}

TEST(ParseDuration, NegativeTotalsCanBeRefused) {
  const tickwheel::ParseOptions strict{.allow_negative = false};
  EXPECT_EQ(parse_duration("1:-30", strict).count(), 30 * sec);
  EXPECT_EQ(parse_duration("-0", strict).count(), 0);
  EXPECT_EQ(parse_duration("-1e-10", strict).count(), 0);  // rounds up to zero first
  try {
    (void)parse_duration(" -1:30", strict);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.position(), 1u);
    EXPECT_NE(std::string(e.what()).find("' -1:30'"), std::string::npos) << e.what();
  }
  std::error_code ec;
  (void)parse_duration("-1h", ec, nullptr, strict);
  EXPECT_EQ(ec, tickwheel::errc::parse_error);
  EXPECT_EQ(parse_duration("-1h").count(), -3600 * sec);  // the default accepts it
}

TEST(ParseDuration, TimeValueInfinityIsDistinctAndGreatest) {
  const TimeValue inf = TimeValue::infinite();
  const TimeValue max = TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::max());
  EXPECT_NE(inf, max);
  EXPECT_GT(inf, max);
  EXPECT_LT(TimeValue(-5s), TimeValue(5s));
  EXPECT_EQ(TimeValue(1500ms), TimeValue::from_nanoseconds(1'500'000'000));
  EXPECT_EQ(inf.count(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(inf.to_duration(), tickwheel::duration::max());
  EXPECT_FALSE(max.is_infinite());
  EXPECT_TRUE(TimeValue(-1ns).is_negative());
}

TEST(ParseDuration, TimeValueConversionsRoundUpAndSaturate) {
  const TimeValue v = TimeValue::from_nanoseconds(1'500'000'001);
  EXPECT_EQ(v.to<std::chrono::seconds>(), 2s);
  EXPECT_EQ(v.to<std::chrono::milliseconds>(), 1501ms);
  EXPECT_EQ(TimeValue::from_nanoseconds(-1'500'000'000).to<std::chrono::seconds>(), -1s);
  EXPECT_EQ(static_cast<std::chrono::microseconds>(v), 1'500'001us);
  EXPECT_DOUBLE_EQ(v.to<std::chrono::duration<double>>().count(), 1.500000001);
  using small = std::chrono::duration<std::int32_t, std::milli>;
  EXPECT_EQ(TimeValue(1h * 1000).to<small>(), small::max());
  EXPECT_EQ(TimeValue(-1h * 1000).to<small>(), small::min());
  using tiny = std::chrono::duration<std::int64_t, std::pico>;
  EXPECT_EQ(TimeValue(std::chrono::hours(10000)).to<tiny>(), tiny::max());
  EXPECT_EQ(TimeValue::infinite().to<std::chrono::seconds>(), std::chrono::seconds::max());
  EXPECT_EQ(TimeValue::infinite().to<std::chrono::duration<double>>(),
            std::chrono::duration<double>::max());
  EXPECT_EQ(TimeValue::infinite().to<small>(), small::max());
}

TEST(ParseDuration, TimeValueFromChronoDurations) {
  EXPECT_EQ(TimeValue(std::chrono::hours::max()).count(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(TimeValue(std::chrono::duration<long long, std::pico>(1500)).count(), 2);
  EXPECT_EQ(TimeValue(std::chrono::duration<double>(0.25)).count(), 250'000'000);
  EXPECT_TRUE(TimeValue(std::chrono::duration<double>(std::numeric_limits<double>::infinity()))
                  .is_infinite());
  EXPECT_THROW(TimeValue(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())),
               tickwheel::error);
  EXPECT_THROW(TimeValue(std::chrono::duration<double>(-std::numeric_limits<double>::infinity())),
               tickwheel::error);
  EXPECT_THROW(TimeValue(std::chrono::duration<double>(1e300)), tickwheel::error);
}

TEST(ParseDuration, FormatIsCanonicalPlainSeconds) {
  EXPECT_EQ(format_duration(TimeValue{}), "0");
  EXPECT_EQ(format_duration(TimeValue(90s)), "90");
  EXPECT_EQ(format_duration(TimeValue(-500ms)), "-0.5");
  EXPECT_EQ(format_duration(TimeValue(3723s + 1ns)), "3723.000000001");
  EXPECT_EQ(format_duration(TimeValue(1ns)), "0.000000001");
  EXPECT_EQ(format_duration(TimeValue::infinite()), "inf");
  EXPECT_EQ(format_duration(TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::min())),
            "-9223372036.854775808");
  EXPECT_EQ(format_duration(TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::max())),
            "9223372036.854775807");
  std::ostringstream os;
  os << parse_duration("1:2:3:4.5");
  EXPECT_EQ(os.str(), "93784.5");
}

TEST(ParseDuration, FormatRoundTripsExtremes) {
  for (const TimeValue v :
       {TimeValue{}, TimeValue::infinite(), TimeValue(1ns), TimeValue(-1ns),
        TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::min()),
        TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::max()),
        TimeValue::from_nanoseconds(std::numeric_limits<std::int64_t>::max() - 1)}) {
    EXPECT_EQ(parse_duration(format_duration(v)), v) << format_duration(v);
  }
}

// format -> parse is the identity on 2*10^5 random values drawn to hit every
// digit count, both signs and both ends of the range. Seeded: reproducible.
TEST(ParseDuration, FormatRandomRoundTripProperty) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<int> kind(0, 5);
  std::uniform_int_distribution<int> digits(0, 18);
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 200'000; ++i) {
    std::int64_t n = 0;
    switch (kind(rng)) {
      case 0:
        n = static_cast<std::int64_t>(rng());
        break;   // anywhere
      case 1: {  // k digits
        std::int64_t m = 1;
        for (int d = digits(rng); d > 0; --d) m *= 10;
        n = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(m));
        if (rng() & 1) n = -n;
        break;
      }
      case 2:
        n = static_cast<std::int64_t>(rng() % 100'000) * sec;
        break;  // whole seconds
      case 3:
        n = hi - static_cast<std::int64_t>(rng() % 1000);
        break;
      case 4:
        n = lo + static_cast<std::int64_t>(rng() % 1000);
        break;
      default:
        n = static_cast<std::int64_t>(rng() % 2001) - 1000;
        break;
    }
    const TimeValue v = TimeValue::from_nanoseconds(n);
    const std::string text = format_duration(v);
    std::error_code ec;
    const TimeValue back = parse_duration(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_EQ(back, v) << "case " << i << ": " << text;
  }
}

// The parser against an independent exact reference: random colon and unit
// strings built from components whose exact value (in units of 10^-12 ns) is
// known by construction, then rounded up.
TEST(ParseDuration, RandomStringsMatchExactReference) {
  __extension__ typedef __int128 wide;
  std::mt19937_64 rng(77);
  constexpr wide scale = 1'000'000'000'000;  // 10^-12 ns resolution of the reference
  const std::int64_t colon_unit[] = {sec, 60 * sec, 3600 * sec, 86400 * sec};
  const std::pair<const char*, std::int64_t> unit_of[] = {
      {"d", 86400 * sec}, {"h", 3600 * sec}, {"m", 60 * sec}, {"s", sec},
      {"ms", 1'000'000},  {"us", 1'000},     {"ns", 1}};
  auto ceil_div = [](wide a, wide b) {
    wide q = a / b;
    if (a % b != 0 && a > 0) ++q;
    return q;
  };
  // A number string with up to 6 integer and 9 fraction digits and an
  // exponent in [-3, 3]; returns its value times 10^12 (exact: 9+3 <= 12).
  auto number = [&](std::string& out, bool sign) -> wide {
    const std::uint64_t ip = rng() % 1'000'000;
    const int frac_len = static_cast<int>(rng() % 10);
    std::uint64_t fp = 0;
    std::string frac;
    for (int k = 0; k < frac_len; ++k) {
      const auto d = static_cast<int>(rng() % 10);
      fp = fp * 10 + static_cast<std::uint64_t>(d);
      frac += static_cast<char>('0' + d);
    }
    const int exp = static_cast<int>(rng() % 7) - 3;
    const bool neg = sign && (rng() % 4 == 0);
    out += neg ? "-" : "";
    out += std::to_string(ip);
    if (frac_len > 0 || rng() % 3 == 0) out += "." + frac;
    if (exp != 0 || rng() % 5 == 0) out += (rng() & 1 ? "e" : "E") + std::to_string(exp);
    wide v = static_cast<wide>(ip);
    for (int k = 0; k < frac_len; ++k) v *= 10;
    v += fp;
    // value = v * 10^(exp - frac_len); times 10^12:
    int shift = 12 + exp - frac_len;
    for (; shift > 0; --shift) v *= 10;
    for (; shift < 0; ++shift) v /= 10;  // never taken: frac_len <= 9, exp >= -3
    return neg ? -v : v;
  };
  int parsed = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::string text;
    wide exact = 0;  // ns * 10^12
    bool field_too_big = false;
    auto add = [&](wide part) {
      const wide magnitude = part < 0 ? -part : part;
      if (magnitude / scale > static_cast<wide>(std::numeric_limits<std::int64_t>::max()) + 1) {
        field_too_big = true;
      }
      exact += part;
    };
    if (rng() & 1) {
      const int fields = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < fields; ++f) {
        if (f > 0) text += rng() % 4 == 0 ? " : " : ":";
        add(number(text, true) * colon_unit[fields - 1 - f]);
      }
    } else {
      bool first = true;
      for (const auto& [name, unit] : unit_of) {
        if (rng() % 3 != 0) continue;
        if (!first && rng() % 4 == 0) text += ' ';
        add(number(text, false) * unit);
        text += name;
        first = false;
      }
      if (first) continue;
    }
    const wide expect = ceil_div(exact, scale);
    std::error_code ec;
    const TimeValue got = parse_duration(text, ec);
    if (field_too_big || expect > std::numeric_limits<std::int64_t>::max() ||
        expect < std::numeric_limits<std::int64_t>::min()) {
      ASSERT_EQ(ec, tickwheel::errc::parse_error) << text;
      continue;
    }
    ASSERT_FALSE(ec) << text;
    ASSERT_EQ(got.count(), static_cast<std::int64_t>(expect)) << text;
    ++parsed;
  }
  EXPECT_GT(parsed, 50'000);
}

// The seed project's own error cases: each message names the offending
// element and the whole time string.
TEST(ParseDuration, SeedErrorCasesNameTheElementAndTheString) {
  auto what_of = [](std::string_view text) -> std::string {
    try {
      (void)parse_duration(text);
    } catch (const ParseError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(what_of("1:bad:3"),
            "tickwheel: non-numeric element 'bad' in time string '1:bad:3' (at 2)");
  EXPECT_NE(what_of("foo").find("non-numeric element 'foo'"), std::string::npos);
  EXPECT_NE(what_of("1foo1:9:bar:0").find("non-numeric element '1foo1'"), std::string::npos);
  EXPECT_NE(what_of("6:4:").find("non-numeric element ''"), std::string::npos);
  EXPECT_NE(what_of("6:4:").find("in time string '6:4:'"), std::string::npos);
  EXPECT_NE(what_of("1:1:1:1:1").find("expected <= 4 elements"), std::string::npos);
  EXPECT_NE(what_of("1:1:1:1:1").find("in time string '1:1:1:1:1'"), std::string::npos);
}
