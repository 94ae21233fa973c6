// Regression tests for Driver::fire's handling of a timer that its own
// callback re-arms and then cancels (found while building Interval, whose
// callback may call reset() then stop()).
#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::Delay;
using tickwheel::Driver;
using tickwheel::ManualClock;
using tickwheel::time_point;

// The cancel on the driver's thread takes the re-armed entry out of the
// wheel and drops the wheel's reference; the end of the fire used to drop it
// a second time (a double free of the entry, seen by UBSan/ASan as a
// corrupted entry pool).
TEST(DriverReentrancy, CallbackReArmsThenCancelsItsOwnDelay) {
  ManualClock clock;
  Driver driver(clock);
  for (int i = 1; i <= 3; ++i) {
    int calls = 0;
    Delay d;
    d = Delay(driver.handle(), clock.now() + 1s, [&] {
      ++calls;
      EXPECT_FALSE(d.reset(clock.now() + 5s));
      EXPECT_TRUE(d.cancel());
    });
    driver.run_until_idle();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(d.result(), tickwheel::make_error_code(tickwheel::errc::cancelled));
    EXPECT_EQ(driver.outstanding(), 0u);
  }
  driver.run_until(clock.now() + 10s);
}
