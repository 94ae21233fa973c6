#include "tickwheel/parse_duration.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ostream>

namespace tickwheel {
namespace {

__extension__ typedef __int128 wide;

constexpr std::int64_t ns_per_second = 1'000'000'000;
// An exponent beyond this (on a non-zero number) is rejected rather than
// clamped: clamping would change how two tiny fields compare.
constexpr std::int64_t exponent_limit = 1'000'000'000'000'000;
// 10^19 < 2^63 < 10^20: a number whose leading digit sits at 10^20 ns or
// above cannot fit whatever its unit.
constexpr std::int64_t max_lead_position = 19;

enum class Problem {
  not_a_number,
  too_many_fields,
  empty_field,
  unknown_unit,
  out_of_range,
  trailing_garbage,
  mixed_forms,
  missing_unit,
  unit_order,
  misplaced_infinity,
  negative_infinity,
  negative_total,
  misplaced_sign,
  exponent_range,
};

struct Failure {
  Problem problem = Problem::not_a_number;
  std::size_t position = 0;    // reported to the caller
  std::size_t elem_begin = 0;  // the element named in the message
  std::size_t elem_end = 0;
};

// One signed number times a unit: the value is +-M * unit * 10^pos0 ns, where
// M is the integer spelled by the digits of text[begin, end) (a '.' inside is
// skipped).
struct Component {
  bool negative = false;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::int64_t pos0 = 0;
  std::int64_t unit = 0;
  bool nonzero = false;
  std::size_t elem_begin = 0;
  std::size_t elem_end = 0;
};

// Colon fields and unit components together never exceed this many.
constexpr std::size_t max_components = 8;

struct Unit {
  std::string_view name;
  std::int64_t ns;
  int rank;  // larger units first in a value
};

constexpr std::array<Unit, 9> units{{
    {"d", 86'400 * ns_per_second, 6},
    {"h", 3'600 * ns_per_second, 5},
    {"m", 60 * ns_per_second, 4},
    {"s", ns_per_second, 3},
    {"ms", 1'000'000, 2},
    {"us", 1'000, 1},
    {"\xC2\xB5s", 1'000, 1},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000, 1},  // U+03BC GREEK SMALL LETTER MU
    {"ns", 1, 0},
}};

constexpr std::array<std::int64_t, 4> colon_units{ns_per_second, 60 * ns_per_second,
                                                  3'600 * ns_per_second, 86'400 * ns_per_second};

constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == y; });
}

// `inf` or `infinity` with an optional sign, any case.
bool is_infinity_word(std::string_view s) noexcept {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  return iequals(s, "inf") || iequals(s, "infinity");
}

const Unit* find_unit(std::string_view word) noexcept {
  for (const Unit& u : units) {
    if (u.name == word) return &u;
  }
  return nullptr;
}

// End of the unit word starting at i: ASCII letters and micro signs.
std::size_t unit_word_end(std::string_view t, std::size_t i, std::size_t e) noexcept {
  while (i < e) {
    if (is_alpha(t[i])) {
      ++i;
    } else if (i + 1 < e &&
               ((t[i] == '\xC2' && t[i + 1] == '\xB5') || (t[i] == '\xCE' && t[i + 1] == '\xBC'))) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

std::size_t token_end(std::string_view t, std::size_t i, std::size_t e) noexcept {
  while (i < e && !is_space(t[i])) ++i;
  return i;
}

std::size_t skip_spaces(std::string_view t, std::size_t i, std::size_t e) noexcept {
  while (i < e && is_space(t[i])) ++i;
  return i;
}

struct Number {
  bool negative = false;
  std::size_t begin = 0;  // mantissa
  std::size_t end = 0;
  std::size_t stop = 0;  // one past the whole number (exponent included)
  std::int64_t pos0 = 0;
  std::int64_t lead = 0;  // position of the leading non-zero digit
  bool nonzero = false;
  bool exponent_overflow = false;
};

// Reads a number as Perl does at text[i]: [sign] digits [. digits] [e [sign]
// digits], at least one mantissa digit. Returns false if there is none.
bool scan_number(std::string_view t, std::size_t i, std::size_t e, bool allow_sign,
                 Number& out) noexcept {
  std::size_t p = i;
  out = Number{};
  if (allow_sign && p < e && (t[p] == '+' || t[p] == '-')) {
    out.negative = t[p] == '-';
    ++p;
  }
  out.begin = p;
  std::size_t digits = 0;
  std::size_t frac_digits = 0;
  std::size_t significant = 0;  // digits from the first non-zero one on
  while (p < e && is_digit(t[p])) {
    if (significant > 0 || t[p] != '0') ++significant;
    ++digits;
    ++p;
  }
  if (p < e && t[p] == '.') {
    ++p;
    while (p < e && is_digit(t[p])) {
      if (significant > 0 || t[p] != '0') ++significant;
      ++frac_digits;
      ++p;
    }
  }
  if (digits + frac_digits == 0) return false;
  out.end = p;
  std::int64_t exponent = 0;
  if (p < e && (t[p] == 'e' || t[p] == 'E')) {
    std::size_t q = p + 1;
    bool negative_exponent = false;
    if (q < e && (t[q] == '+' || t[q] == '-')) {
      negative_exponent = t[q] == '-';
      ++q;
    }
    if (q < e && is_digit(t[q])) {
      while (q < e && is_digit(t[q])) {
        if (exponent <= exponent_limit) exponent = exponent * 10 + (t[q] - '0');
        ++q;
      }
      if (exponent > exponent_limit) out.exponent_overflow = true;
      if (negative_exponent) exponent = -exponent;
      p = q;
    }
  }
  out.stop = p;
  out.nonzero = significant > 0;
  // Lengths beyond 2^62 cannot occur in memory; the casts are exact.
  out.pos0 = exponent - static_cast<std::int64_t>(frac_digits);
  out.lead = out.pos0 + static_cast<std::int64_t>(significant) - 1;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) noexcept
      : t_(text), options_(options) {}

  bool run(TimeValue& out) noexcept {
    std::size_t b = skip_spaces(t_, 0, t_.size());
    std::size_t e = t_.size();
    while (e > b && is_space(t_[e - 1])) --e;
    if (b == e) {
      out = TimeValue{};
      return true;
    }
    if (is_infinity_word(t_.substr(b, e - b))) {
      if (t_[b] == '-') return fail(Problem::negative_infinity, b, b, e);
      out = TimeValue::infinite();
      return true;
    }
    const bool colon_form = t_.substr(b, e - b).find(':') != std::string_view::npos;
    if (!(colon_form ? colon_fields() : unit_components(b, e))) return false;
    wide total = 0;
    if (!sum(total)) return false;
    if (total > detail::i64_max || total < detail::i64_min) {
      return fail(Problem::out_of_range, b, b, e);
    }
    if (total < 0 && !options_.allow_negative) return fail(Problem::negative_total, b, b, e);
    out = TimeValue::from_nanoseconds(static_cast<std::int64_t>(total));
    return true;
  }

  [[nodiscard]] const Failure& failure() const noexcept { return failure_; }

 private:
  bool fail(Problem p, std::size_t position, std::size_t elem_begin,
            std::size_t elem_end) noexcept {
    failure_ = Failure{p, position, elem_begin, elem_end};
    return false;
  }

  // Range checks every number gets once its syntax is known.
  bool add(const Number& num, bool negative, std::int64_t unit, std::size_t elem_begin,
           std::size_t elem_end) noexcept {
    if (num.nonzero) {
      if (num.exponent_overflow) {
        return num.pos0 > 0 ? fail(Problem::out_of_range, elem_begin, elem_begin, elem_end)
                            : fail(Problem::exponent_range, elem_begin, elem_begin, elem_end);
      }
      if (num.lead > max_lead_position) {
        return fail(Problem::out_of_range, elem_begin, elem_begin, elem_end);
      }
    }
    comps_[count_++] =
        Component{negative, num.begin, num.end, num.pos0, unit, num.nonzero, elem_begin, elem_end};
    return true;
  }

  // [[[D:]H:]M:]S, every field a signed number with white space around it.
  bool colon_fields() noexcept {
    const std::size_t n = t_.size();
    const auto fields = static_cast<std::size_t>(std::count(t_.begin(), t_.end(), ':')) + 1;
    std::size_t fb = 0;
    for (std::size_t k = 0; k < fields; ++k) {
      std::size_t fe = t_.find(':', fb);
      if (fe == std::string_view::npos) fe = n;
      const std::size_t p = skip_spaces(t_, fb, fe);
      std::size_t q = fe;
      while (q > p && is_space(t_[q - 1])) --q;
      if (fields > colon_units.size() && k == 0) {
        // The leftmost field is the one with no unit left for it.
        return fail(Problem::too_many_fields, p == fe ? fb : p, p, q);
      }
      if (p == fe) return fail(Problem::empty_field, fb, fb, fb);
      if (is_infinity_word(t_.substr(p, q - p))) return fail(Problem::misplaced_infinity, p, p, q);
      Number num;
      if (!scan_number(t_, p, fe, true, num)) return fail(Problem::not_a_number, p, p, q);
      const std::size_t r = skip_spaces(t_, num.stop, fe);
      if (r != fe) {
        const std::size_t w = unit_word_end(t_, r, fe);
        if (w > r && find_unit(t_.substr(r, w - r)) != nullptr) {
          return fail(Problem::mixed_forms, r, r, w);
        }
        return fail(Problem::trailing_garbage, r, p, q);
      }
      if (!add(num, num.negative, colon_units[fields - 1 - k], p, q)) return false;
      fb = fe + 1;
    }
    return true;
  }

  // <number><unit>..., or a lone number (seconds).
  bool unit_components(std::size_t b, std::size_t e) noexcept {
    std::size_t p = b;
    bool negative = false;
    if (t_[p] == '+' || t_[p] == '-') {
      negative = t_[p] == '-';
      ++p;
    }
    int last_rank = static_cast<int>(units.size());
    while (true) {
      const std::size_t elem_begin = count_ == 0 ? b : p;
      if (p == e) return fail(Problem::not_a_number, b, b, e);  // a lone sign
      if (count_ > 0 && (t_[p] == '+' || t_[p] == '-')) {
        return fail(Problem::misplaced_sign, p, p, token_end(t_, p, e));
      }
      if (count_ > 0 && !is_digit(t_[p]) && t_[p] != '.') {
        return fail(Problem::trailing_garbage, p, p, token_end(t_, p, e));
      }
      Number num;
      if (!scan_number(t_, p, e, false, num)) {
        return fail(Problem::not_a_number, elem_begin, elem_begin, token_end(t_, p, e));
      }
      const std::size_t r = skip_spaces(t_, num.stop, e);
      if (r == e) {
        if (count_ == 0) return add(num, negative, ns_per_second, elem_begin, num.stop);
        return fail(Problem::missing_unit, p, p, num.stop);
      }
      const std::size_t w = unit_word_end(t_, r, e);
      if (w == r) return fail(Problem::trailing_garbage, r, elem_begin, token_end(t_, r, e));
      const Unit* unit = find_unit(t_.substr(r, w - r));
      if (unit == nullptr) return fail(Problem::unknown_unit, r, r, w);
      if (unit->rank >= last_rank) return fail(Problem::unit_order, r, r, w);
      last_rank = unit->rank;
      if (count_ == max_components) return fail(Problem::unit_order, r, r, w);
      if (!add(num, negative, unit->ns, elem_begin, w)) return false;
      p = skip_spaces(t_, w, e);
      if (p == e) return true;
    }
  }

  // The exact sum, rounded up to whole nanoseconds.
  //
  // The digits of every component times its unit are produced from the least
  // significant end, position by position, and added with a carry (floor
  // division keeps every digit of the running sum in 0..9). Below position 0
  // (the nanosecond) only whether any digit is non-zero matters: that is the
  // round-up. Stretches where no component has digits are skipped, so a
  // value like 1e-1000000 costs no more than 1e-1. Above position 0 every
  // component is an integer below 10^34 and is added in 128 bits.
  bool sum(wide& total) noexcept {
    struct Stream {
      const Component* c;
      std::size_t cur;     // one past the next mantissa character to consume
      std::int64_t carry;  // of the multiplication by the unit, < unit
    };
    std::array<Stream, max_components> s{};
    std::size_t m = 0;
    std::int64_t p = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (!comps_[i].nonzero) continue;
      s[m++] = Stream{&comps_[i], comps_[i].end, 0};
      p = std::min(p, comps_[i].pos0);
    }
    auto has_digit = [&](Stream& x) {
      while (x.cur > x.c->begin && t_[x.cur - 1] == '.') --x.cur;
      return x.cur > x.c->begin;
    };
    std::int64_t carry = 0;
    bool fraction = false;
    while (p < 0) {
      std::int64_t column = carry;
      bool active = false;
      for (std::size_t i = 0; i < m; ++i) {
        Stream& x = s[i];
        if (p < x.c->pos0) continue;
        std::int64_t digit = 0;
        if (has_digit(x)) {
          const std::int64_t v = (t_[--x.cur] - '0') * x.c->unit + x.carry;
          digit = v % 10;
          x.carry = v / 10;
          active = true;
        } else if (x.carry != 0) {
          digit = x.carry % 10;
          x.carry /= 10;
          active = true;
        }
        column += x.c->negative ? -digit : digit;
      }
      if (!active && (carry == 0 || carry == -1)) {
        // Nothing but the carry from here up to the next component: zeros,
        // or (a borrow) nines.
        if (carry == -1) fraction = true;
        std::int64_t next = 0;
        for (std::size_t i = 0; i < m; ++i) {
          if (s[i].c->pos0 > p) next = std::min(next, s[i].c->pos0);
        }
        p = next;
        continue;
      }
      std::int64_t digit = column % 10;
      carry = column / 10;
      if (digit < 0) {
        digit += 10;
        --carry;
      }
      if (digit != 0) fraction = true;
      ++p;
    }
    total = carry + (fraction ? 1 : 0);
    for (std::size_t i = 0; i < m; ++i) {
      Stream& x = s[i];
      wide whole = 0;
      for (std::size_t j = x.c->begin; j < x.cur; ++j) {
        if (t_[j] != '.') whole = whole * 10 + (t_[j] - '0');
      }
      if (x.c->pos0 >= 0) {
        for (std::int64_t k = 0; k < x.c->pos0; ++k) whole *= 10;
        whole *= x.c->unit;
      } else {
        whole = whole * x.c->unit + x.carry;
      }
      // |value| >= whole; more than 2^63 ns cannot fit either way.
      if (whole > static_cast<wide>(detail::i64_max) + 1) {
        return fail(Problem::out_of_range, x.c->elem_begin, x.c->elem_begin, x.c->elem_end);
      }
      total += x.c->negative ? -whole : whole;
    }
    return true;
  }

  std::string_view t_;
  ParseOptions options_;
  std::array<Component, max_components> comps_{};
  std::size_t count_ = 0;
  Failure failure_{};
};

// Text as it appears in a message, in single quotes: control bytes escaped.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string reason(const Failure& f, std::string_view element) {
  const std::string el = quoted(element);
  switch (f.problem) {
    case Problem::not_a_number:
      return "non-numeric element " + el;
    case Problem::too_many_fields:
      return "expected <= 4 elements ([[[D:]H:]M:]S), one too many at " + el;
    case Problem::empty_field:
      return "non-numeric element " + el + " (an empty field)";
    case Problem::unknown_unit:
      return "unknown unit " + el + " (known: d, h, m, s, ms, us, \xC2\xB5s, ns)";
    case Problem::out_of_range:
      return "element " + el +
             " is out of range (the limit is 2^63-1 nanoseconds, about 292 years)";
    case Problem::trailing_garbage:
      return "non-numeric element " + el + " (unexpected text after its number)";
    case Problem::mixed_forms:
      return "unit " + el + " in a ':' field (units and ':' do not mix)";
    case Problem::missing_unit:
      return "element " + el + " has no unit (needed after another component)";
    case Problem::unit_order:
      return "unit " + el + " repeated or after a smaller unit (write larger units first)";
    case Problem::misplaced_infinity:
      return "element " + el + " must be the whole value";
    case Problem::negative_infinity:
      return "element " + el + " is not a time value (negative infinity)";
    case Problem::negative_total:
      return "value " + el + " is negative";
    case Problem::misplaced_sign:
      return "sign inside a unit-form value at " + el + " (a sign may only lead the value)";
    case Problem::exponent_range:
      return "the exponent of " + el + " is out of range";
  }
  return "malformed";
}

}  // namespace

TimeValue parse_duration(std::string_view text, ParseOptions options) {
  Parser parser(text, options);
  TimeValue value;
  if (parser.run(value)) return value;
  const Failure& f = parser.failure();
  throw ParseError(f.position,
                   "tickwheel: " + reason(f, text.substr(f.elem_begin, f.elem_end - f.elem_begin)) +
                       " in time string " + quoted(text) + " (at " + std::to_string(f.position) +
                       ")");
}

TimeValue parse_duration(std::string_view text, std::error_code& ec, std::size_t* position,
                         ParseOptions options) noexcept {
  Parser parser(text, options);
  TimeValue value;
  if (parser.run(value)) {
    ec.clear();
    return value;
  }
  ec = make_error_code(errc::parse_error);
  if (position != nullptr) *position = parser.failure().position;
  return TimeValue{};
}

std::string format_duration(TimeValue value) {
  if (value.is_infinite()) return "inf";
  const std::int64_t ns = value.count();
  // Unsigned negation keeps INT64_MIN exact.
  const std::uint64_t magnitude =
      ns < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t per_second = ns_per_second;
  std::string out = ns < 0 ? "-" : "";
  out += std::to_string(magnitude / per_second);
  std::uint64_t frac = magnitude % per_second;
  if (frac != 0) {
    char digits[10] = "000000000";
    for (int i = 8; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    std::size_t len = 9;
    while (digits[len - 1] == '0') --len;
    out += '.';
    out.append(digits, len);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, TimeValue value) { return os << format_duration(value); }

}  // namespace tickwheel
