#include "tickwheel/driver.hpp"

#include <exception>
#include <future>
#include <utility>

#include "tickwheel/manual_clock.hpp"
#include "timer_ops.hpp"

namespace tickwheel {
namespace {

// Marks the submission stack of a driver that is gone: pushes fail.
detail::TimerEntry* const closed_stack = reinterpret_cast<detail::TimerEntry*>(alignof(void*));

thread_local Handle current_handle;  // set by DriverScope

}  // namespace

// ---- DriverCore ------------------------------------------------------------------

namespace detail {

bool DriverCore::submit(TimerEntry* e, std::int64_t wake_if_before) noexcept {
  if (!e->mark_queued()) {
    // Already on its way, perhaps queued without a wake-up.
    const std::int64_t until = sleeping_until.load(std::memory_order_seq_cst);
    if (until >= 0 && wake_if_before < until) park->unpark();
    return alive();
  }
  TimerEntry* old = head.load(std::memory_order_relaxed);
  do {
    if (old == closed_stack) {
      e->refs.fetch_and(~TimerEntry::queued_bit, std::memory_order_relaxed);
      return false;
    }
    e->next_queued = old;
  } while (
      !head.compare_exchange_weak(old, e, std::memory_order_seq_cst, std::memory_order_relaxed));
  const std::uint32_t queued_now = backlog.fetch_add(1, std::memory_order_relaxed) + 1;
  // A sleeping driver is woken only if this entry is due before it would
  // wake anyway, or to bound the memory held by queued entries. (The driver
  // announces its sleep before its last look at the stack: see turn().)
  const std::int64_t until = sleeping_until.load(std::memory_order_seq_cst);
  if (until >= 0 && (wake_if_before < until || queued_now == backlog_limit)) park->unpark();
  return true;
}

TimerEntry* DriverCore::take_all() noexcept {
  TimerEntry* list = head.load(std::memory_order_relaxed);
  if (list == nullptr || list == closed_stack) return nullptr;
  list = head.exchange(nullptr, std::memory_order_seq_cst);
  backlog.store(0, std::memory_order_relaxed);
  // The stack is newest first; reverse it so ties keep submission order.
  TimerEntry* oldest_first = nullptr;
  while (list != nullptr) {
    TimerEntry* next = list->next_queued;
    list->next_queued = oldest_first;
    oldest_first = list;
    list = next;
  }
  return oldest_first;
}

TimerEntry* DriverCore::close() noexcept {
  TimerEntry* list = head.exchange(closed_stack, std::memory_order_seq_cst);
  return list == closed_stack ? nullptr : list;
}

bool DriverCore::acquire_slot() noexcept {
  if (!counting()) return true;
  std::size_t n = outstanding.load(std::memory_order_relaxed);
  do {
    if (n >= max_timers) return false;
  } while (!outstanding.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  return true;
}

}  // namespace detail

// ---- Handle and scopes -------------------------------------------------------------

time_point Handle::now() const { return core_ ? core_->clock.now() : SteadyClock{}.now(); }

ClockRef Handle::clock() const noexcept { return core_ ? core_->clock : ClockRef{}; }

Handle Handle::current() {
  if (!current_handle.core_) {
    throw error(errc::no_driver,
                "no tickwheel driver on this thread: create one and call Driver::enter()");
  }
  return current_handle;
}

Handle Handle::try_current() noexcept { return current_handle; }

DriverScope Handle::enter() const { return DriverScope(*this); }

DriverScope::DriverScope(Handle h) : previous_(std::exchange(current_handle, std::move(h))) {}

DriverScope::~DriverScope() { current_handle = std::move(previous_); }

// ---- Driver ------------------------------------------------------------------------------

Driver::Driver() : Driver(DriverOptions{}) {}

Driver::Driver(DriverOptions options)
    : Driver(ClockRef{}, std::make_unique<CondvarPark>(), options) {}

Driver::Driver(ManualClock& clock, DriverOptions options)
    : Driver(ClockRef(clock), std::make_unique<VirtualPark>(clock), options) {}

Driver::Driver(ClockRef clock, std::unique_ptr<Park> park, DriverOptions options)
    : core_(std::make_shared<detail::DriverCore>(clock, std::shared_ptr<Park>(std::move(park)),
                                                 options.max_timers, options.geometry.tick)),
      wheel_(core_->origin, options.geometry) {
  if (!core_->park) throw error(errc::invalid_argument, "Driver: the park must not be null");
  core_->driver_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
  core_->driver.store(this, std::memory_order_release);
}

Driver::~Driver() {
  shutting_down_ = true;
  // From here on, handles report shutdown and pushes fail.
  core_->driver.store(nullptr, std::memory_order_release);
  detail::TimerEntry* list = core_->close();
  while (list != nullptr) {
    detail::TimerEntry* e = list;
    list = e->next_queued;
    e->next_queued = nullptr;
    e->unmark_queued_keep_ref();
    if (!e->in_wheel) shut_down_entry(*e);  // those in the wheel are met below
    e->release();
  }
  // Everything still filed is completed with errc::shutdown, in deadline
  // order, through the same path as a fire.
  while (!wheel_.empty()) {
    try {
      (void)wheel_.advance(time_point::max());
    } catch (...) {
      // A callback that throws on shutdown cannot be reported from a
      // destructor; the remaining timers still complete.
    }
  }
}

void Driver::shut_down_entry(detail::TimerEntry& e) noexcept {
  std::int64_t s = e.state.load(std::memory_order_acquire);
  do {
    if (s < 0) return;  // never armed, or complete already
  } while (!e.state.compare_exchange_weak(s, detail::entry_shutdown, std::memory_order_seq_cst,
                                          std::memory_order_acquire));
  core_->release_slot();
  const auto ec = make_error_code(errc::shutdown);
  try {
    e.run_callback(ec);
  } catch (...) {
    // as above: nowhere to report it
  }
  e.notify_waiters(ec);
}

void Driver::sync(detail::TimerEntry& e) {
  // Re-arms and cancels made while its callback runs are settled once, after
  // it: the wheel still holds the running node, and only settle knows
  // whether it is filed again or given up.
  if (&e == firing_) return;
  const std::int64_t s = e.state.load(std::memory_order_seq_cst);
  if (s >= 0) {
    if (e.in_wheel) {
      // Earlier: re-filed now. Later: recorded; the old slot re-files it.
      (void)wheel_.push_later(e.wheel_id, detail::as_time(s));
    } else {
      detail::TimerEntry* entry = &e;
      e.wheel_id = wheel_.schedule_at(detail::as_time(s),
                                      [this, entry](TimerId self) { fire(*entry, self); });
      e.in_wheel = true;
      e.retain();  // the wheel's reference
    }
  } else if (s != detail::entry_firing && e.in_wheel) {
    (void)wheel_.cancel(e.wheel_id);
    e.in_wheel = false;
    e.release();  // may destroy e
  }
}

void Driver::fire(detail::TimerEntry& e, TimerId self) {
  if (shutting_down_) {
    shut_down_entry(e);
    e.in_wheel = false;
    e.release();
    return;
  }
  std::int64_t s = e.state.load(std::memory_order_acquire);
  for (;;) {
    if (s < 0) {  // cancelled (or shut down) from another thread, not yet drained
      e.in_wheel = false;
      e.release();
      return;
    }
    if (detail::as_time(s) > wheel_.now()) {  // pushed later meanwhile: re-file
      (void)wheel_.reschedule(self, detail::as_time(s));
      return;
    }
    if (e.state.compare_exchange_weak(s, detail::entry_firing, std::memory_order_seq_cst,
                                      std::memory_order_acquire)) {
      break;
    }
  }
  ++fired_this_turn_;
  // Whatever the callback does (re-arm, cancel, throw), the entry ends up
  // either pending again and filed, or complete with its waiters told.
  struct settle {
    Driver* driver;
    detail::TimerEntry* e;
    TimerId self;
    ~settle() {
      driver->firing_ = nullptr;
      std::int64_t after = detail::entry_firing;
      if (e->state.compare_exchange_strong(after, detail::entry_fired, std::memory_order_seq_cst,
                                           std::memory_order_acquire)) {
        driver->core_->release_slot();
        e->notify_waiters({});
        e->in_wheel = false;
        e->release();
        return;
      }
      e->notify_waiters({});  // fired, and re-armed by the callback
      if (after >= 0) {
        (void)driver->wheel_.reschedule(self, detail::as_time(after));
      } else {  // re-armed, then cancelled (sync() left it to us)
        e->in_wheel = false;
        e->release();
      }
    }
  } guard{this, &e, self};
  firing_ = &e;
  e.run_callback({});
}

void Driver::adopt(detail::TimerEntry* e) {
  e->unmark_queued_keep_ref();  // before reading its state
  sync(*e);
  e->release();
}

void Driver::drain() {
  detail::TimerEntry* list = core_->take_all();
  while (list != nullptr) {
    detail::TimerEntry* e = list;
    list = e->next_queued;
    e->next_queued = nullptr;
    ++received_this_turn_;
    adopt(e);
  }
}

TurnResult Driver::turn(std::optional<duration> max_wait) {
  if (turning_) {
    throw error(errc::invalid_argument, "Driver::turn() called from one of its timer callbacks");
  }
  turning_ = true;
  struct leave {
    bool& flag;
    ~leave() { flag = false; }
  } guard{turning_};
  core_->driver_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
  ++turns_;
  fired_this_turn_ = 0;
  received_this_turn_ = 0;

  drain();
  const time_point now = core_->clock.now();
  std::optional<time_point> deadline;
  for (;;) {
    deadline = wheel_.next_deadline();
    if (max_wait) {
      const time_point limit = saturating_add(now, std::max(*max_wait, duration::zero()));
      deadline = deadline ? std::min(*deadline, limit) : limit;
    }
    // Announce the sleep, then look once more: a push before the
    // announcement is taken here, a push after it sees the announcement and
    // wakes the park if it is due earlier.
    core_->sleeping_until.store(
        deadline ? std::max<std::int64_t>(deadline->time_since_epoch().count(), 0)
                 : detail::DriverCore::no_wake,
        std::memory_order_seq_cst);
    if (core_->head.load(std::memory_order_seq_cst) == nullptr) break;
    drain();
  }
  if (!deadline || *deadline > now) ++parks_;
  try {
    core_->park->park(deadline);
  } catch (...) {
    core_->sleeping_until.store(-1, std::memory_order_relaxed);
    throw;
  }
  core_->sleeping_until.store(-1, std::memory_order_relaxed);

  drain();
  (void)wheel_.advance(core_->clock.now());
  return {fired_this_turn_, received_this_turn_};
}

void Driver::run() {
  while (!stop_.exchange(false, std::memory_order_acq_rel)) turn();
}

void Driver::run_until(time_point deadline) {
  for (;;) {
    if (stop_.exchange(false, std::memory_order_acq_rel)) return;
    const time_point now = core_->clock.now();
    if (now >= deadline) return;
    turn(deadline - now);
  }
}

void Driver::run_until_idle() {
  core_->driver_thread.store(std::this_thread::get_id(), std::memory_order_relaxed);
  for (;;) {
    // Timers armed on other threads are counted once taken in.
    if (!turning_) drain();
    if (outstanding() == 0) return;
    if (stop_.exchange(false, std::memory_order_acq_rel)) return;
    turn();
  }
}

void Driver::stop() noexcept {
  stop_.store(true, std::memory_order_release);
  core_->park->unpark();
}

DriverStats Driver::stats() const noexcept {
  return {turns_, parks_, core_->park->wakeups(), outstanding()};
}

// ---- DriverThread ---------------------------------------------------------------------

DriverThread::DriverThread() : DriverThread(DriverOptions{}) {}

DriverThread::DriverThread(DriverOptions options) {
  std::promise<Handle> ready;
  auto handle = ready.get_future();
  thread_ = std::jthread([options, ready = std::move(ready)](std::stop_token token) mutable {
    Driver driver(options);
    const std::stop_callback on_stop(token, [&driver] { driver.stop(); });
    ready.set_value(driver.handle());
    while (!token.stop_requested()) driver.run();
  });
  handle_ = handle.get();
}

DriverThread::~DriverThread() { stop(); }

void DriverThread::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

}  // namespace tickwheel
