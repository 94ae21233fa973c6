// File: the error vocabulary of tickwheel: one errc enum, its category, and
// the exception type thrown where an API is documented to throw.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <type_traits>

namespace tickwheel {

/// Error values reported by tickwheel, in the `tickwheel` error category.
enum class errc : int {
  invalid_argument = 1,  ///< a NaN, overflowing or otherwise unusable input
  shutdown,              ///< the driver owning the timer has gone away
  at_capacity,           ///< the maximum number of outstanding timers is reached
  timed_out,             ///< a Timeout's deadline passed before the operation completed
  receiver_stopped,      ///< a periodic timer was stopped
  not_found,             ///< an id or key that is not (or no longer) known
  parse_error,           ///< a malformed time-value string
  cancelled,             ///< the timer was cancelled before it fired
  no_driver,             ///< no driver is set for this thread (see Driver::enter)
  empty,                 ///< nothing to wait for: the queue holds no value
  closed,                ///< the stream was closed and has no item left
};

/// The category of `tickwheel::errc`; its name() is "tickwheel".
/// Thread safety: the returned object is immutable and safe to share.
[[nodiscard]] const std::error_category& error_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// Every exception tickwheel throws derives from this (and so from std::system_error).
class error : public std::system_error {
 public:
  error(errc e, const std::string& what) : std::system_error(make_error_code(e), what) {}
};

/// An error whose what() is exactly the text it was given, without the
/// ": <code message>" that std::system_error appends: for messages that are
/// complete on their own (a parse error naming the input, a timeout's own
/// text). Copying never throws: the text is shared.
class error_with_text : public error {
 public:
  error_with_text(errc e, const std::string& text)
      : error(e, text), text_(std::make_shared<const std::string>(text)) {}
  [[nodiscard]] const char* what() const noexcept override { return text_->c_str(); }

 private:
  std::shared_ptr<const std::string> text_;
};

}  // namespace tickwheel

template <>
struct std::is_error_code_enum<tickwheel::errc> : std::true_type {};
