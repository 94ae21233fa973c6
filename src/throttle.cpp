#include "tickwheel/throttle.hpp"

#include <algorithm>

#include "tickwheel/detail/wake_delay.hpp"

namespace tickwheel {

bool Throttle::try_acquire() {
  const time_point now = handle_.now();
  if (now < next_) return false;
  next_ = saturating_add(now, period_);
  return true;
}

std::error_code Throttle::acquire() {
  if (try_acquire()) return {};
  const time_point turn = next_;
  if (const std::error_code ec = detail::sleep_until(handle_, wake_, turn)) return ec;
  // Spaced from when the item really passes (a real clock may wake late):
  // catching up on a late wake-up would let two items through too close.
  next_ = saturating_add(std::max(turn, handle_.now()), period_);
  return {};
}

}  // namespace tickwheel
