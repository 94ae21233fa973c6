#include "tickwheel/idle_timer.hpp"

#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>

#include "timer_ops.hpp"

namespace tickwheel {
namespace detail {

// What the callback stored in the entry shares with the IdleTimer: the user's
// function and the quit/running handshake. Owned jointly, so a fire that
// races with the IdleTimer's destruction finds it still here.
struct IdleControl {
  explicit IdleControl(std::function<void()> f) : on_idle(std::move(f)) {}

  void fire() {
    {
      const std::lock_guard lock(mutex);
      if (quit) return;
      running = true;
      runner = std::this_thread::get_id();
      ++fires;
    }
    struct finished {
      IdleControl* c;
      ~finished() {
        const std::lock_guard lock(c->mutex);
        c->running = false;
        c->runner = {};
        c->done.notify_all();
      }
    } guard{this};
    on_idle();
  }

  std::function<void()> on_idle;
  std::mutex mutex;  // guards everything below; never held while on_idle runs
  std::condition_variable done;
  bool quit = false;
  bool running = false;
  // A quit() is stopping a standalone timer's thread: a concurrent quit()
  // must not return before it has gone either.
  bool joining = false;
  std::thread::id runner;
  std::uint64_t fires = 0;
};

}  // namespace detail

namespace {

// The entry's completion callback: 16 bytes, stored inline in the entry.
struct FireIdle {
  std::shared_ptr<detail::IdleControl> control;
  void operator()(std::error_code ec) const {
    if (!ec) control->fire();  // cancelled or shut down: nothing to tell
  }
};

}  // namespace

IdleTimer::IdleTimer(const Handle* handle, TimeValue duration, std::function<void()> on_idle)
    : idle_ns_(duration.count()),
      infinite_(duration.is_infinite()),
      duration_(duration),
      control_(std::make_shared<detail::IdleControl>(std::move(on_idle))) {
  if (duration.is_negative()) {
    throw error(errc::invalid_argument, "tickwheel::IdleTimer: the idle duration is negative");
  }
  if (handle != nullptr) {
    if (!handle->alive()) throw error(errc::shutdown, "tickwheel::IdleTimer: the driver is gone");
    handle_ = *handle;
    clock_ = handle_.clock();
    make_entry();
  }
  // A standalone timer keeps the default clock_, the steady clock its
  // DriverThread runs on. record_call_slow() reads it before taking the lock,
  // so it must not be assigned when the thread starts.
}

void IdleTimer::make_entry() {
  origin_ns_ = handle_.core()->origin.time_since_epoch().count();
  tick_ns_ = handle_.tick().count();
  auto* e = new detail::TimerEntry(handle_.core().get());
  try {
    e->set_callback(FireIdle{control_});
  } catch (...) {
    e->release();
    throw;
  }
  entry_.store(e, std::memory_order_release);
}

IdleTimer::IdleTimer(IdleTimer&& other) noexcept
    : entry_(other.entry_.exchange(nullptr, std::memory_order_acq_rel)),
      clock_(other.clock_),
      idle_ns_(other.idle_ns_),
      origin_ns_(other.origin_ns_),
      tick_ns_(other.tick_ns_),
      infinite_(other.infinite_),
      duration_(other.duration_),
      handle_(std::move(other.handle_)),
      control_(std::move(other.control_)),
      own_thread_(std::move(other.own_thread_)) {}

IdleTimer& IdleTimer::operator=(IdleTimer&& other) noexcept {
  if (this != &other) {
    IdleTimer old(std::move(*this));  // quits and releases at the end of this scope
    entry_.store(other.entry_.exchange(nullptr, std::memory_order_acq_rel),
                 std::memory_order_release);
    clock_ = other.clock_;
    idle_ns_ = other.idle_ns_;
    origin_ns_ = other.origin_ns_;
    tick_ns_ = other.tick_ns_;
    infinite_ = other.infinite_;
    duration_ = other.duration_;
    handle_ = std::move(other.handle_);
    control_ = std::move(other.control_);
    own_thread_ = std::move(other.own_thread_);
  }
  return *this;
}

IdleTimer::~IdleTimer() {
  quit();
  if (detail::TimerEntry* e = entry_.exchange(nullptr, std::memory_order_acq_rel)) e->release();
  // Still here if quit() ran on that thread (from the callback); the entry
  // is cancelled, so the driver it stops has nothing left to fire.
  own_thread_.reset();
}

std::error_code IdleTimer::start_standalone() {
  try {
    own_thread_ = std::make_unique<DriverThread>();
    handle_ = own_thread_->handle();
    make_entry();
  } catch (const std::system_error&) {
    return std::make_error_code(std::errc::resource_unavailable_try_again);
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  return {};
}

std::error_code IdleTimer::record_call_slow() noexcept {
  if (!control_) return make_error_code(errc::shutdown);  // moved from
  // The idle period starts at the call, so the clock is read before anything
  // that may wait: the lock, and the start of a standalone timer's thread,
  // which would otherwise lengthen its first period by however long that took.
  const std::int64_t due = infinite_ ? detail::i64_max : due_after(clock_.now());
  // Arming from rest (and starting a standalone thread) happens under the
  // lock, so quit() either sees it and cancels it or is seen by it.
  const std::lock_guard lock(control_->mutex);
  if (control_->quit) return make_error_code(errc::cancelled);
  if (infinite_) return {};
  detail::TimerEntry* e = entry_.load(std::memory_order_relaxed);
  if (e == nullptr) {
    if (const std::error_code ec = start_standalone()) return ec;
    e = entry_.load(std::memory_order_relaxed);
  }
  // Another thread may have armed it, for as late or later, meanwhile.
  const std::int64_t armed = e->state.load(std::memory_order_acquire);
  if (armed >= due) return {};
  try {
    return detail::arm(*e, detail::as_time(round_up_to_tick(due)));
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

std::int64_t IdleTimer::round_up_to_tick(std::int64_t due) const noexcept {
  const std::int64_t since = detail::sat_sub(due, origin_ns_);
  if (since <= 0) return due;  // before the wheel's first tick: due at once
  const std::int64_t ticks = since / tick_ns_ + (since % tick_ns_ != 0 ? 1 : 0);
  if (ticks > detail::sat_sub(detail::i64_max, origin_ns_) / tick_ns_) return detail::i64_max;
  return origin_ns_ + ticks * tick_ns_;
}

void IdleTimer::quit() noexcept {
  if (!control_) return;
  detail::IdleControl& c = *control_;
  std::unique_ptr<DriverThread> stopping;
  bool on_timer_thread = false;
  {
    const std::lock_guard lock(c.mutex);
    c.quit = true;  // from here on record_call() starts no thread
    // The callback's thread can neither wait for the callback nor, for a
    // standalone timer, join itself: the destructor (or a later quit() from
    // another thread) joins it.
    on_timer_thread = c.runner == std::this_thread::get_id() || handle_.on_driver_thread();
    if (own_thread_ && !on_timer_thread) {
      stopping = std::move(own_thread_);
      c.joining = true;
    }
  }
  if (detail::TimerEntry* e = entry_.load(std::memory_order_acquire)) (void)detail::cancel(*e);
  if (stopping) {
    // Joined outside the lock: a fire on that thread takes it.
    stopping.reset();
    const std::lock_guard lock(c.mutex);
    c.joining = false;
    c.done.notify_all();
  }
  if (on_timer_thread) return;
  std::unique_lock lock(c.mutex);
  c.done.wait(lock, [&c] { return !c.running && !c.joining; });
}

bool IdleTimer::quitted() const noexcept {
  if (!control_) return true;
  const std::lock_guard lock(control_->mutex);
  return control_->quit;
}

std::optional<time_point> IdleTimer::deadline() const noexcept {
  const detail::TimerEntry* e = entry_.load(std::memory_order_acquire);
  if (e == nullptr) return std::nullopt;
  const std::int64_t s = e->state.load(std::memory_order_acquire);
  if (s < 0) return std::nullopt;
  return detail::as_time(s);
}

Handle IdleTimer::handle() const noexcept {
  if (!control_) return {};
  const std::lock_guard lock(control_->mutex);  // a standalone timer sets it lazily
  return handle_;
}

std::uint64_t IdleTimer::fire_count() const noexcept {
  if (!control_) return 0;
  const std::lock_guard lock(control_->mutex);
  return control_->fires;
}

}  // namespace tickwheel
