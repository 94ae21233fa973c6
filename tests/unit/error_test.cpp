#include "tickwheel/error.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

using tickwheel::errc;

namespace {

constexpr errc all_codes[] = {errc::invalid_argument, errc::shutdown,         errc::at_capacity,
                              errc::timed_out,        errc::receiver_stopped, errc::not_found,
                              errc::parse_error,      errc::cancelled,        errc::no_driver};

}  // namespace

TEST(Error, EveryCodeHasItsOwnMessageInTheTickwheelCategory) {
  std::set<std::string> messages;
  for (const errc e : all_codes) {
    const std::error_code ec = e;  // implicit: errc is an error code enum
    EXPECT_EQ(ec.category(), tickwheel::error_category());
    EXPECT_STREQ(ec.category().name(), "tickwheel");
    EXPECT_TRUE(ec);
    EXPECT_FALSE(ec.message().empty());
    messages.insert(ec.message());
  }
  EXPECT_EQ(messages.size(), std::size(all_codes));
  EXPECT_EQ(tickwheel::error_category().message(999), "unknown tickwheel error");
}

TEST(Error, GenericConditionsMatchTheirStdErrcCounterparts) {
  EXPECT_EQ(std::error_code(errc::timed_out), std::errc::timed_out);
  EXPECT_EQ(std::error_code(errc::invalid_argument), std::errc::invalid_argument);
  EXPECT_EQ(std::error_code(errc::parse_error), std::errc::invalid_argument);
  EXPECT_EQ(std::error_code(errc::cancelled), std::errc::operation_canceled);
  EXPECT_EQ(std::error_code(errc::at_capacity), std::errc::resource_unavailable_try_again);
  EXPECT_NE(std::error_code(errc::shutdown), std::errc::timed_out);
  // Codes without a generic counterpart still equal themselves only.
  EXPECT_EQ(std::error_code(errc::shutdown), errc::shutdown);
  EXPECT_NE(std::error_code(errc::shutdown), errc::no_driver);
}

TEST(Error, ExceptionIsASystemErrorCarryingTheCode) {
  try {
    throw tickwheel::error(errc::at_capacity, "wheel full");
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), errc::at_capacity);
    EXPECT_NE(std::string(e.what()).find("wheel full"), std::string::npos);
  }
}
