// One reusable Delay as the way to sleep on a driver: a queue or a throttle
// costs its driver one timer however much it holds.
#include "tickwheel/detail/wake_delay.hpp"

namespace tickwheel::detail {
namespace {

std::error_code arm(const Handle& handle, Delay& wake, time_point deadline) noexcept {
  if (!handle.alive()) return make_error_code(errc::shutdown);
  if (wake) return wake.reset(deadline);
  try {
    wake = Delay(handle, deadline);
  } catch (const error& e) {
    return e.code();
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  return {};
}

}  // namespace

std::error_code sleep_until(const Handle& handle, Delay& wake, time_point deadline) {
  if (const std::error_code ec = arm(handle, wake, deadline)) return ec;
  return wake.wait();
}

bool wake_at(const Handle& handle, Delay& wake, time_point deadline, Waiter* w) noexcept {
  return !arm(handle, wake, deadline) && wake.subscribe(w);
}

}  // namespace tickwheel::detail
