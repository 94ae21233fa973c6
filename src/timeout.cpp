// DeadlineWait: one Delay plus a condition variable, with the Delay's
// callback holding the shared state so that it may run after the waiter is
// gone (the cancel race: cancel() does not wait for a running callback).
#include "tickwheel/timeout.hpp"

#include <condition_variable>

namespace tickwheel::detail {

struct DeadlineWait::shared {
  mutable std::mutex mutex;
  std::condition_variable cv;
  bool fired = false;  // the Delay completed since the last arm
  std::error_code fired_ec;
  bool driving = false;  // wait() is turning the driver (notify must unpark it)
};

DeadlineWait::DeadlineWait(Handle handle)
    : handle_(std::move(handle)), s_(std::make_shared<shared>()) {}

DeadlineWait::~DeadlineWait() = default;  // the Delay cancels itself

std::mutex& DeadlineWait::mutex() const noexcept { return s_->mutex; }

void DeadlineWait::notify() noexcept {
  bool driving = false;
  {
    const std::lock_guard lock(s_->mutex);  // also orders the change before the wake
    driving = s_->driving;
  }
  s_->cv.notify_all();
  // Unpark only a driver that a waiter is turning: other pushes must not
  // cost the driver a wake-up.
  if (driving) handle_.core()->park->unpark();
}

std::error_code DeadlineWait::arm(time_point deadline) {
  {
    const std::lock_guard lock(s_->mutex);
    s_->fired = false;
    s_->fired_ec = {};
  }
  if (delay_) return delay_.reset(deadline);
  if (!handle_.alive()) return make_error_code(errc::shutdown);
  try {
    delay_ = Delay(handle_, deadline, [s = s_](std::error_code ec) {
      {
        const std::lock_guard lock(s->mutex);
        s->fired = true;
        s->fired_ec = ec;
      }
      s->cv.notify_all();
    });
  } catch (const error& e) {
    return e.code();
  }
  return {};
}

std::error_code DeadlineWait::wait(time_point deadline, bool (*ready)(void*), void* ctx) {
  {
    const std::lock_guard lock(s_->mutex);
    if (ready(ctx)) return {};
  }
  if (const std::error_code ec = arm(deadline)) return ec;
  for (;;) {
    std::unique_lock lock(s_->mutex);
    if (!handle_.on_driver_thread()) {
      s_->cv.wait(lock, [&] { return s_->fired || ready(ctx); });
    }
    if (ready(ctx)) break;
    if (s_->fired) {
      if (s_->fired_ec == errc::shutdown) return s_->fired_ec;
      // A stale completion (the Delay fired for an earlier arm while it was
      // being re-armed) must not end the wait early: check the clock.
      if (handle_.now() >= deadline) return make_error_code(errc::timed_out);
      lock.unlock();
      if (const std::error_code ec = arm(deadline)) return ec;
      continue;
    }
    Driver* driver = handle_.core()->driver.load(std::memory_order_acquire);
    if (driver == nullptr) return make_error_code(errc::shutdown);
    s_->driving = true;
    lock.unlock();
    try {
      driver->turn();
    } catch (...) {
      const std::lock_guard relock(s_->mutex);
      s_->driving = false;
      throw;
    }
    lock.lock();
    s_->driving = false;
  }
  (void)delay_.cancel();
  return {};
}

}  // namespace tickwheel::detail
