#include "tickwheel/error.hpp"

#include "tickwheel/result.hpp"

namespace tickwheel {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tickwheel"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_argument:
        return "invalid argument";
      case errc::shutdown:
        return "timer driver shut down";
      case errc::at_capacity:
        return "timer capacity reached";
      case errc::timed_out:
        return "timed out";
      case errc::receiver_stopped:
        return "timer stopped";
      case errc::not_found:
        return "timer not found";
      case errc::parse_error:
        return "malformed time value";
      case errc::cancelled:
        return "timer cancelled";
      case errc::no_driver:
        return "no timer driver for this thread (enter a Driver's scope first)";
      case errc::empty:
        return "the queue is empty";
      case errc::closed:
        return "the stream is closed";
    }
    return "unknown tickwheel error";
  }
  // Portable code can test `ec == std::errc::timed_out` without knowing
  // tickwheel; the codes with no generic counterpart stay in this category.
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_argument:
      case errc::parse_error:
        return std::errc::invalid_argument;
      case errc::timed_out:
        return std::errc::timed_out;
      case errc::cancelled:
        return std::errc::operation_canceled;
      case errc::at_capacity:
        return std::errc::resource_unavailable_try_again;
      default:
        return {value, *this};
    }
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace tickwheel

namespace tickwheel::detail {

void throw_error_code(std::error_code ec, const char* what) {
  if (ec.category() == error_category()) {
    throw error(static_cast<errc>(ec.value()), std::string(what) + ": " + ec.message());
  }
  throw std::system_error(ec, what);
}

}  // namespace tickwheel::detail
