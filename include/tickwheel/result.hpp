// File: Result<T>, a value or a std::error_code, for the operations whose
// failure is an ordinary outcome rather than an exceptional one (a stale
// DelayQueue key, a Timeout that expired).
//
// C++20 has no std::expected. Result keeps std::expected's member names
// (has_value, value, error, value_or, operator*, operator->) so that code
// written against it moves to C++23's type by changing one alias; it is
// deliberately smaller (no monadic operations, no void specialisation:
// void operations return a plain std::error_code).
#pragma once

#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "tickwheel/error.hpp"

namespace tickwheel {

namespace detail {
/// Throws tickwheel::error for a tickwheel code, std::system_error otherwise.
[[noreturn]] void throw_error_code(std::error_code ec, const char* what);
}  // namespace detail

/// Either a T or the error_code saying why there is none.
///
/// Thread safety: a plain value type (distinct objects are independent; one
/// object is not safe to modify from several threads at once).
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, std::error_code>,
                "Result<std::error_code> would be ambiguous");
  static_assert(!std::is_reference_v<T>, "Result holds values, not references");

 public:
  // Implicit, like std::expected's converting constructors: `return value;`
  // and `return errc::not_found;` both read naturally.
  Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT
      : v_(std::in_place_index<0>, std::move(value)) {}
  Result(std::error_code ec) noexcept : v_(std::in_place_index<1>, ec) {}      // NOLINT
  Result(errc e) noexcept : v_(std::in_place_index<1>, make_error_code(e)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws tickwheel::error (std::system_error for codes of
  /// other categories) when there is none.
  [[nodiscard]] T& value() & {
    check();
    return *std::get_if<0>(&v_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return *std::get_if<0>(&v_);
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::move(*std::get_if<0>(&v_));
  }

  /// The error; a default (success) error_code when there is a value.
  [[nodiscard]] std::error_code error() const noexcept {
    const std::error_code* ec = std::get_if<1>(&v_);
    return ec != nullptr ? *ec : std::error_code{};
  }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&v_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) && {
    return has_value() ? std::move(*std::get_if<0>(&v_))
                       : static_cast<T>(std::forward<U>(fallback));
  }

  /// Preconditions: has_value().
  T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
  T* operator->() noexcept { return std::get_if<0>(&v_); }
  const T* operator->() const noexcept { return std::get_if<0>(&v_); }

 private:
  void check() const {
    if (!has_value()) detail::throw_error_code(*std::get_if<1>(&v_), "tickwheel::Result");
  }

  std::variant<T, std::error_code> v_;
};

}  // namespace tickwheel
