#include "tickwheel/delay.hpp"

#include <condition_variable>
#include <mutex>

#include "timer_ops.hpp"

namespace tickwheel {
namespace {

std::optional<std::error_code> outcome(std::int64_t state) noexcept {
  switch (state) {
    case detail::entry_fired:
      return std::error_code{};
    case detail::entry_cancelled:
      return make_error_code(errc::cancelled);
    case detail::entry_shutdown:
      return make_error_code(errc::shutdown);
    default:
      return std::nullopt;
  }
}

// A thread blocked until a completion.
class BlockingWaiter final : public detail::Waiter {
 public:
  void complete(std::error_code ec) noexcept override {
    const std::lock_guard lock(mutex_);
    result_ = ec;
    cv_.notify_one();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<std::error_code> result_;
};

// Owns itself: deleted once it has set the promise.
class PromiseWaiter final : public detail::Waiter {
 public:
  std::future<void> future() { return promise_.get_future(); }
  void complete(std::error_code ec) noexcept override {
    if (ec) {
      promise_.set_exception(std::make_exception_ptr(
          error(static_cast<errc>(ec.value()), std::string("tickwheel::Delay: ") + ec.message())));
    } else {
      promise_.set_value();
    }
    delete this;
  }

 private:
  std::promise<void> promise_;
};

}  // namespace

void Delay::init(const Handle& handle) {
  if (!handle.alive()) throw error(errc::shutdown, "tickwheel::Delay: the driver is gone");
  handle_ = handle;
  entry_ = detail::EntryRef(new detail::TimerEntry(handle.core().get()));
}

void Delay::arm_or_throw(time_point deadline) {
  if (const std::error_code ec = detail::arm(*entry_, deadline)) {
    throw error(static_cast<errc>(ec.value()),
                std::string("tickwheel::Delay: cannot arm: ") + ec.message());
  }
}

Delay::Delay(const Handle& handle, time_point deadline) {
  init(handle);
  arm_or_throw(deadline);
}

Delay& Delay::operator=(Delay&& other) noexcept {
  if (this != &other) {
    if (entry_) (void)detail::cancel(*entry_);
    handle_ = std::move(other.handle_);
    entry_ = std::move(other.entry_);
  }
  return *this;
}

Delay::~Delay() {
  if (entry_) (void)detail::cancel(*entry_);
}

std::optional<time_point> Delay::deadline() const noexcept {
  if (!entry_) return std::nullopt;
  const std::int64_t ns = entry_->armed_for.load(std::memory_order_relaxed);
  if (ns < 0) return std::nullopt;
  return detail::as_time(ns);
}

bool Delay::is_elapsed() const noexcept {
  if (!entry_) return false;
  const std::int64_t s = entry_->state.load(std::memory_order_acquire);
  return s == detail::entry_fired || s == detail::entry_firing;
}

bool Delay::pending() const noexcept {
  return entry_ && entry_->state.load(std::memory_order_acquire) >= 0;
}

std::optional<std::error_code> Delay::result() const noexcept {
  if (!entry_) return std::nullopt;
  return outcome(entry_->state.load(std::memory_order_acquire));
}

std::error_code Delay::reset(time_point deadline) noexcept {
  if (!entry_) return make_error_code(errc::shutdown);
  try {
    return detail::arm(*entry_, deadline);
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

bool Delay::cancel() noexcept { return entry_ && detail::cancel(*entry_); }

void Delay::detach() noexcept {
  entry_ = {};
  handle_ = {};
}

std::error_code Delay::wait() {
  const auto r = wait_until(std::chrono::steady_clock::time_point::max());
  return r ? *r : make_error_code(errc::shutdown);
}

std::optional<std::error_code> Delay::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (!entry_) return make_error_code(errc::shutdown);
  if (const auto done = result()) return done;
  if (Driver* driver = detail::local_driver(*entry_)) {
    // Waiting on the driver's own thread: drive it ourselves meanwhile.
    // (From inside one of its callbacks turn() throws invalid_argument.)
    while (!result()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return std::nullopt;
      if (deadline == std::chrono::steady_clock::time_point::max()) {
        driver->turn();
      } else {
        driver->turn(deadline - now);
      }
      driver = detail::local_driver(*entry_);
      if (driver == nullptr) break;
    }
    return result();
  }
  BlockingWaiter waiter;
  if (!entry_->subscribe(&waiter)) return result();
  std::unique_lock lock(waiter.mutex_);
  const bool done =
      waiter.cv_.wait_until(lock, deadline, [&] { return waiter.result_.has_value(); });
  if (done) return waiter.result_;
  lock.unlock();
  if (entry_->unsubscribe(&waiter)) return std::nullopt;
  // Its completion has begun: it will tell us shortly; the waiter must live
  // until it has.
  lock.lock();
  waiter.cv_.wait(lock, [&] { return waiter.result_.has_value(); });
  return waiter.result_;
}

std::future<void> Delay::get_future() {
  auto* waiter = new PromiseWaiter();
  std::future<void> f = waiter->future();
  if (entry_ && entry_->subscribe(waiter)) return f;
  // Already complete (or empty): settle it now.
  const auto done = result();
  waiter->complete(done ? *done : make_error_code(errc::shutdown));
  return f;
}

bool Delay::subscribe(detail::Waiter* w) noexcept { return entry_ && entry_->subscribe(w); }

}  // namespace tickwheel
