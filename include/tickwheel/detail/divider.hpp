// File: exact unsigned 64-bit division by a run-time constant, with one
// multiply-high and one correction step instead of a hardware divide, for
// the time -> tick conversions on every schedule and advance.
#pragma once

#include <cstdint>

namespace tickwheel::detail {

class Divider {
 public:
  /// Precondition: d > 0.
  explicit constexpr Divider(std::uint64_t d) noexcept : d_(d), m_(~std::uint64_t{0} / d) {}

  [[nodiscard]] constexpr std::uint64_t divisor() const noexcept { return d_; }

  /// floor(n / d). m = floor((2^64-1)/d) makes the estimate exact or one
  /// short, for every n and d (d = 1 included).
  [[nodiscard]] constexpr std::uint64_t floor(std::uint64_t n) const noexcept {
    std::uint64_t q = mulhi(n, m_);
    if (n - q * d_ >= d_) ++q;
    return q;
  }

  /// ceil(n / d).
  [[nodiscard]] constexpr std::uint64_t ceil(std::uint64_t n) const noexcept {
    std::uint64_t q = mulhi(n, m_);
    std::uint64_t r = n - q * d_;
    if (r >= d_) {
      ++q;
      r -= d_;
    }
    return q + (r != 0 ? 1 : 0);
  }

 private:
  static constexpr std::uint64_t mulhi(std::uint64_t a, std::uint64_t b) noexcept {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(a) * b) >> 64);
  }

  std::uint64_t d_;
  std::uint64_t m_;
};

}  // namespace tickwheel::detail
