// File: the shared state of one timer scheduled through a Driver's Handle,
// referred to by the user-side object (Delay, Interval, IdleTimer, ...) and
// by the driver while it is queued or filed in the wheel.
//
// Everything another thread may touch is one atomic word, `state`: the
// deadline (>= 0, nanoseconds on the steady timeline) while armed, or one of
// the negative values below. Re-arming is a compare-and-swap of that word;
// the driver learns of it either at once (an earlier deadline, a re-arm after
// completion: the entry is pushed on the driver's submission stack) or
// lazily (a later deadline: the wheel still holds the old one, and when it
// comes due the driver sees the new deadline and re-files). That makes
// pushing an idle timer later one atomic store, with no queue and no lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "tickwheel/fwd.hpp"

namespace tickwheel::detail {

class DriverCore;

inline constexpr std::int64_t entry_unarmed = -1;    // created, never armed
inline constexpr std::int64_t entry_firing = -2;     // its completion is running
inline constexpr std::int64_t entry_fired = -3;      // completed: elapsed
inline constexpr std::int64_t entry_cancelled = -4;  // completed: cancelled
inline constexpr std::int64_t entry_shutdown = -5;   // completed: the driver went away

/// Something to tell when an entry completes (a blocked thread, a future, a
/// coroutine): registered with TimerEntry::subscribe, told at most once.
class Waiter {
 public:
  virtual void complete(std::error_code ec) noexcept = 0;

 protected:
  virtual ~Waiter() = default;

 private:
  friend class TimerEntry;
  Waiter* prev_ = nullptr;
  Waiter* next_ = nullptr;
};

/// The completion callback stored in an entry: callables up to 24 bytes live
/// inline. Invoked as `void(std::error_code)` or `void()` (only on success).
struct completion_ops {
  void (*invoke)(void* storage, std::error_code ec);
  void (*destroy)(void* storage) noexcept;
};

inline constexpr std::size_t completion_buffer = 24;

template <class F>
void invoke_completion(F& f, std::error_code ec) {
  if constexpr (std::is_invocable_v<F&, std::error_code>) {
    f(ec);
  } else {
    static_assert(std::is_invocable_v<F&>,
                  "a timer callback takes (std::error_code) or () (called on success only)");
    if (!ec) f();
  }
}

template <class F>
struct inline_completion {
  static void invoke(void* s, std::error_code ec) {
    invoke_completion(*std::launder(static_cast<F*>(s)), ec);
  }
  static void destroy(void* s) noexcept { std::launder(static_cast<F*>(s))->~F(); }
  static constexpr completion_ops table{&invoke, &destroy};
};

template <class F>
struct heap_completion {
  static F*& ptr(void* s) noexcept { return *std::launder(static_cast<F**>(s)); }
  static void invoke(void* s, std::error_code ec) { invoke_completion(*ptr(s), ec); }
  static void destroy(void* s) noexcept { delete ptr(s); }
  static constexpr completion_ops table{&invoke, &destroy};
};

class TimerEntry {
 public:
  explicit TimerEntry(DriverCore* core) noexcept : core_(core) {}
  // Entries are made on one thread and often freed on the driver's: a pool
  // with per-thread caches that trade batches keeps that off malloc's slow
  // path (see src/timer_entry.cpp).
  static void* operator new(std::size_t size);
  static void operator delete(void* p) noexcept;
  TimerEntry(const TimerEntry&) = delete;
  TimerEntry& operator=(const TimerEntry&) = delete;
  ~TimerEntry() {
    if (ops_ != nullptr) ops_->destroy(storage_);
  }

  /// Stores the completion callback; only before the entry is first armed.
  template <class F>
  void set_callback(F&& f) {
    using T = std::decay_t<F>;
    if constexpr (sizeof(T) <= completion_buffer && alignof(T) <= alignof(std::max_align_t) &&
                  std::is_nothrow_destructible_v<T>) {
      ::new (static_cast<void*>(storage_)) T(std::forward<F>(f));
      ops_ = &inline_completion<T>::table;
    } else {
      ::new (static_cast<void*>(storage_)) T*(new T(std::forward<F>(f)));
      ops_ = &heap_completion<T>::table;
    }
  }

  [[nodiscard]] DriverCore* core() const noexcept { return core_; }

  // ---- shared state (any thread) ----
  std::atomic<std::int64_t> state{entry_unarmed};
  std::atomic<std::int64_t> armed_for{entry_unarmed};  // the last deadline armed
  // References (the owner, the wheel, a driver working on it) count in the
  // low bits; queued_bit is set while the entry is on the driver's
  // submission stack and keeps it alive like a reference. One word, so
  // queueing is one atomic operation. Freed when the word reaches zero.
  std::atomic<std::uint32_t> refs{1};
  static constexpr std::uint32_t queued_bit = 1u << 31;
  TimerEntry* next_queued = nullptr;  // submission stack link (owned by the stack)

  // ---- the driver's thread only ----
  TimerId wheel_id{};
  bool in_wheel = false;

  void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  /// Sets queued_bit; false if it was set already (the entry is on its way).
  bool mark_queued() noexcept {
    return (refs.fetch_or(queued_bit, std::memory_order_seq_cst) & queued_bit) == 0;
  }
  /// Clears queued_bit and takes a reference in its place, in one step; the
  /// caller releases it when done. Sequentially consistent: the driver reads
  /// the entry's state only after this, so a later re-arm queues it again.
  void unmark_queued_keep_ref() noexcept {
    refs.fetch_sub(queued_bit - 1, std::memory_order_seq_cst);
  }

  /// Runs the completion callback, if any.
  void run_callback(std::error_code ec) {
    if (ops_ != nullptr) ops_->invoke(storage_, ec);
  }
  /// Tells every registered waiter (each once) and forgets them.
  void notify_waiters(std::error_code ec) noexcept;

  /// Registers `w` for the next completion; false (nothing registered) if the
  /// entry is complete or not armed.
  bool subscribe(Waiter* w) noexcept;
  /// Takes `w` back; false if its completion has started (it will be, or
  /// has been, told: wait for that before destroying it).
  bool unsubscribe(Waiter* w) noexcept;

 private:
  void lock() noexcept;
  void unlock() noexcept { waiters_lock_.clear(std::memory_order_release); }

  DriverCore* core_;
  std::atomic_flag waiters_lock_;  // a few pointer moves under it, never a call
  std::atomic<Waiter*> waiters_{nullptr};
  const completion_ops* ops_ = nullptr;
  alignas(std::max_align_t) unsigned char storage_[completion_buffer];
};

/// A reference-counted pointer to an entry.
class EntryRef {
 public:
  EntryRef() noexcept = default;
  explicit EntryRef(TimerEntry* e) noexcept : e_(e) {}  // adopts one reference
  EntryRef(const EntryRef& o) noexcept : e_(o.e_) {
    if (e_ != nullptr) e_->retain();
  }
  EntryRef(EntryRef&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  EntryRef& operator=(EntryRef o) noexcept {
    std::swap(e_, o.e_);
    return *this;
  }
  ~EntryRef() {
    if (e_ != nullptr) e_->release();
  }
  [[nodiscard]] TimerEntry* get() const noexcept { return e_; }
  TimerEntry* operator->() const noexcept { return e_; }
  TimerEntry& operator*() const noexcept { return *e_; }
  explicit operator bool() const noexcept { return e_ != nullptr; }

 private:
  TimerEntry* e_ = nullptr;
};

}  // namespace tickwheel::detail
