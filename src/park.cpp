#include "tickwheel/park.hpp"

#include "tickwheel/manual_clock.hpp"

namespace tickwheel {

void CondvarPark::park(std::optional<time_point> deadline) {
  std::unique_lock lock(mutex_);
  if (notified_) {
    notified_ = false;
    return;
  }
  if (deadline && *deadline <= std::chrono::steady_clock::now()) return;  // not a sleep
  bool timed_out = false;
  if (!deadline) {
    cv_.wait(lock, [&] { return notified_; });
  } else {
    timed_out = !cv_.wait_until(lock, *deadline, [&] { return notified_; });
  }
  if (timed_out || !notified_) ++wakeups_;
  notified_ = false;
}

void CondvarPark::unpark() noexcept {
  {
    const std::lock_guard lock(mutex_);
    notified_ = true;
  }
  cv_.notify_one();
}

std::uint64_t CondvarPark::wakeups() const noexcept {
  const std::lock_guard lock(mutex_);
  return wakeups_;
}

void VirtualPark::park(std::optional<time_point> deadline) {
  std::unique_lock lock(mutex_);
  if (notified_) {
    notified_ = false;
    return;
  }
  if (deadline) {
    // A virtual sleep: time jumps to the deadline (an earlier one is no sleep).
    if (*deadline > clock_.now() && clock_.set(*deadline)) ++wakeups_;
    return;
  }
  cv_.wait(lock, [&] { return notified_; });
  notified_ = false;
}

void VirtualPark::unpark() noexcept {
  {
    const std::lock_guard lock(mutex_);
    notified_ = true;
  }
  cv_.notify_one();
}

std::uint64_t VirtualPark::wakeups() const noexcept {
  const std::lock_guard lock(mutex_);
  return wakeups_;
}

}  // namespace tickwheel
