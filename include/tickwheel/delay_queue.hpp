// File: DelayQueue<T>, a queue of values that each become available once
// their own deadline has passed.
//
// Think of it as a TimerWheel whose callbacks are values: the values live in
// a slab (a vector of slots reused through a free list, so once it has grown
// inserting allocates nothing), each with one entry in a private wheel, and
// a key of index + generation names a value until it is removed or popped.
// Expired values wait in an intrusive FIFO threaded through the slab.
//
// The queue owns its wheel and reads a clock; a Driver is needed only to
// *wait* for the next value (pop(), subscribe()): then one Delay on the
// driver, re-armed for the queue's next deadline, wakes the owner. So a
// queue of 10^6 values costs the driver one timer, not 10^6.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/detail/wake_delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/result.hpp"
#include "tickwheel/timer_wheel.hpp"

namespace tickwheel {

/// Names one value of a DelayQueue: eight bytes, copied by value. The
/// generation makes a key whose value was removed or popped harmless after
/// its slot is reused: the queue reports errc::not_found for it.
class DelayQueueKey {
 public:
  constexpr DelayQueueKey() noexcept = default;
  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr std::uint32_t generation() const noexcept { return generation_; }
  /// A default-constructed key names no value.
  [[nodiscard]] constexpr bool valid() const noexcept { return generation_ != 0; }
  friend constexpr bool operator==(DelayQueueKey, DelayQueueKey) noexcept = default;

 private:
  template <class T>
  friend class DelayQueue;
  constexpr DelayQueueKey(std::uint32_t index, std::uint32_t generation) noexcept
      : index_(index), generation_(generation) {}
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;  // 0 is never issued
};

/// A value taken out of a DelayQueue because its deadline passed.
template <class T>
struct Expired {
  T value;
  time_point deadline;  ///< as given to insert/reset (not rounded to a tick)
  DelayQueueKey key;    ///< no longer valid: the value left the queue
};

/// A queue of values, each yielded once its deadline has passed.
///
/// Order: values come out in deadline order at the granularity of the
/// queue's tick (WheelGeometry::tick, 1 ms by default: deadlines round up to
/// it, never early); values due in the same tick come out in the order they
/// were inserted or last reset. A value given a deadline already past
/// becomes due at the next poll, after those already reported expired.
///
/// Keys: insert() returns a key that stays valid until its value is removed
/// or popped. remove() and reset() of any other key (popped, removed, from a
/// cleared queue, default-constructed) report errc::not_found and change
/// nothing. A value whose deadline passed but was not popped yet may still
/// be removed or reset.
///
/// Waiting: poll_expired(now) never blocks. With a Handle, pop() blocks
/// until a value is due (driving the driver if called on its thread), and
/// subscribe() tells a Waiter when one is.
///
/// Thread safety: none; one thread owns a queue, like a std::vector (the
/// Driver it waits on may run on another thread). Moving a queue is cheap;
/// a moved-from queue may only be destroyed or assigned to.
///
/// Errors: insert throws tickwheel::error(errc::invalid_argument) for a
/// deadline before the clock's epoch or a NaN/out-of-range duration, and
/// whatever allocating or moving T throws (then nothing changed). A negative
/// delay means already due, as does any deadline at or before now.
///
/// Complexity: insert, remove, reset and popping one value are O(1)
/// amortised; memory is one slot (T + 32 bytes) and one wheel node per value.
template <class T>
class DelayQueue {
 public:
  using Key = DelayQueueKey;

  /// A queue reading `clock` (the steady clock by default), without a driver:
  /// pop() and subscribe() report errc::shutdown.
  explicit DelayQueue(ClockRef clock = {},
                      WheelGeometry geometry = WheelGeometry::default_geometry())
      : s_(std::make_unique<state>(clock, geometry)) {}
  /// A queue on `handle`'s clock that can wait on its driver.
  explicit DelayQueue(const Handle& handle,
                      WheelGeometry geometry = WheelGeometry::default_geometry())
      : s_(std::make_unique<state>(handle.clock(), geometry)) {
    s_->handle = handle;
  }

  DelayQueue(DelayQueue&&) noexcept = default;
  DelayQueue& operator=(DelayQueue&&) noexcept = default;
  ~DelayQueue() = default;

  /// Inserts `value`, due at `deadline`.
  Key insert_at(T value, time_point deadline) {
    if (deadline < time_point{}) {
      throw error(errc::invalid_argument, "tickwheel::DelayQueue: deadline before the epoch");
    }
    state& s = *s_;
    const std::uint32_t index = s.acquire_slot();  // may throw: nothing changed
    slot& sl = s.slots[index];
    try {
      sl.timer = s.wheel.schedule_at(deadline, on_due{&s, index});
      sl.value.emplace(std::move(value));
    } catch (...) {
      if (sl.timer.valid()) (void)s.wheel.cancel(sl.timer);
      s.free_slot(index);
      throw;
    }
    sl.deadline = deadline;
    sl.where = place::pending;
    ++s.size;
    s.pull_wake_forward(deadline);
    return {index, sl.generation};
  }

  /// Inserts `value`, due `delay` from the clock's now.
  template <class Rep, class Period>
  Key insert(T value, std::chrono::duration<Rep, Period> delay) {
    return insert_at(std::move(value), deadline_after(now(), checked_nanoseconds(delay)));
  }

  /// Takes the value of `key` out of the queue, due or not.
  /// errc::not_found if `key` names no value in the queue.
  Result<T> remove(Key key) {
    state& s = *s_;
    slot* sl = s.lookup(key);
    if (sl == nullptr) return errc::not_found;
    s.detach(*sl);
    T value = std::move(*sl->value);
    s.free_slot(key.index_);
    --s.size;
    return value;
  }

  /// Moves the deadline of `key`'s value to `deadline` (it then orders as if
  /// inserted now), whether it is pending or already due but not popped.
  /// errc::not_found for a key naming no value, errc::invalid_argument for a
  /// deadline before the epoch; either way nothing changes.
  std::error_code reset_at(Key key, time_point deadline) noexcept {
    if (deadline < time_point{}) return make_error_code(errc::invalid_argument);
    state& s = *s_;
    slot* sl = s.lookup(key);
    if (sl == nullptr) return make_error_code(errc::not_found);
    if (sl->where == place::pending) {
      (void)s.wheel.reschedule(sl->timer, deadline);
    } else {
      // Due already: it needs a wheel entry again. The node comes from the
      // wheel's free pool (it fired), but a slot array may have to grow: on
      // failure nothing has changed.
      try {
        sl->timer = s.wheel.schedule_at(deadline, on_due{&s, key.index_});
      } catch (...) {
        return std::make_error_code(std::errc::not_enough_memory);
      }
      s.unlink_expired(*sl);
      sl->where = place::pending;
    }
    sl->deadline = deadline;
    s.pull_wake_forward(deadline);
    return {};
  }

  /// reset_at() to `delay` from the clock's now.
  template <class Rep, class Period>
  std::error_code reset(Key key, std::chrono::duration<Rep, Period> delay) noexcept {
    duration step{};
    if (!to_nanoseconds(delay, step)) return make_error_code(errc::invalid_argument);
    return reset_at(key, deadline_after(now(), step));
  }

  /// True while `key` names a value in the queue.
  [[nodiscard]] bool contains(Key key) const noexcept { return s_->lookup(key) != nullptr; }
  /// The value of `key`, or null.
  [[nodiscard]] T* get(Key key) noexcept {
    slot* sl = s_->lookup(key);
    return sl != nullptr ? &*sl->value : nullptr;
  }
  [[nodiscard]] const T* get(Key key) const noexcept {
    const slot* sl = s_->lookup(key);
    return sl != nullptr ? &*sl->value : nullptr;
  }
  /// The deadline of `key`'s value as given (nullopt for a stale key).
  [[nodiscard]] std::optional<time_point> deadline(Key key) const noexcept {
    const slot* sl = s_->lookup(key);
    return sl != nullptr ? std::optional<time_point>(sl->deadline) : std::nullopt;
  }

  /// Takes the next value whose deadline is at or before `now`, or nullopt.
  /// Never blocks. Complexity: O(1) amortised plus the wheel's advance.
  std::optional<Expired<T>> poll_expired(time_point now) {
    state& s = *s_;
    if (s.expired_head == npos) s.wheel.advance(now);
    if (s.expired_head == npos) return std::nullopt;
    const std::uint32_t index = s.expired_head;
    slot& sl = s.slots[index];
    s.unlink_expired(sl);
    std::optional<Expired<T>> out(
        std::in_place, Expired<T>{std::move(*sl.value), sl.deadline, Key{index, sl.generation}});
    s.free_slot(index);
    --s.size;
    return out;
  }
  /// poll_expired() at the clock's now.
  std::optional<Expired<T>> poll_expired() { return poll_expired(now()); }

  /// The value poll_expired(now) would return next, left in the queue.
  [[nodiscard]] T* peek_expired(time_point now) {
    state& s = *s_;
    if (s.expired_head == npos) s.wheel.advance(now);
    return s.expired_head == npos ? nullptr : &*s.slots[s.expired_head].value;
  }

  /// When a value is next due: the current time if one is due already, and
  /// nullopt for an empty queue. Never later than the earliest deadline
  /// (rounded up to a tick); it may be earlier when that deadline is far off
  /// (the wheel's coarse slots), in which case polling then yields nothing
  /// and next_deadline() moves on.
  [[nodiscard]] std::optional<time_point> next_deadline() const noexcept {
    const state& s = *s_;
    if (s.expired_head != npos) return s.wheel.now();
    return s.wheel.next_deadline();
  }

  /// Blocks until a value is due and takes it. On the driver's thread it
  /// turns the driver while it waits (on a ManualClock with a VirtualPark,
  /// virtual time jumps to the deadline). Errors: errc::empty if the queue
  /// holds nothing to wait for, errc::shutdown if the queue has no driver or
  /// its driver is gone. Must not be called from a timer callback.
  Result<Expired<T>> pop() {
    for (;;) {
      if (auto out = poll_expired()) return std::move(*out);
      const std::optional<time_point> when = next_deadline();
      if (!when) return errc::empty;
      if (const std::error_code ec = detail::sleep_until(s_->handle, s_->wake, *when)) return ec;
    }
  }

  /// Registers `w` to be told (on the driver's thread, with {}) when a value
  /// may be due: the queue's next_deadline(). Then call poll_expired(), and
  /// subscribe again if it yields nothing. One waiter at a time; inserting
  /// or resetting a value due before the armed wake-up moves the wake-up
  /// earlier. False if the queue is empty or has no live driver.
  bool subscribe(detail::Waiter* w) noexcept {
    const std::optional<time_point> when = next_deadline();
    return when && detail::wake_at(s_->handle, s_->wake, *when, w);
  }

  /// Drops every value; every key becomes stale. Keeps the capacity. O(capacity).
  void clear() noexcept {
    state& s = *s_;
    s.wheel.clear();
    s.expired_head = s.expired_tail = npos;
    for (std::uint32_t i = 0; i < s.slots.size(); ++i) {
      if (s.slots[i].where != place::vacant) s.free_slot(i);
    }
    s.size = 0;
  }

  /// Values in the queue, due or not.
  [[nodiscard]] std::size_t size() const noexcept { return s_->size; }
  [[nodiscard]] std::size_t len() const noexcept { return s_->size; }
  [[nodiscard]] bool empty() const noexcept { return s_->size == 0; }
  /// Values the queue holds without allocating.
  [[nodiscard]] std::size_t capacity() const noexcept { return s_->slots.capacity(); }
  /// Makes room for `n` values in total, so that inserting up to that many
  /// allocates nothing.
  void reserve(std::size_t n) {
    if (n > max_size()) throw std::length_error("tickwheel::DelayQueue::reserve");
    s_->slots.reserve(n);
    s_->free.reserve(n);
    s_->wheel.reserve(n);
  }
  [[nodiscard]] static constexpr std::size_t max_size() noexcept { return npos - 1; }

  /// The clock's reading.
  [[nodiscard]] time_point now() const { return s_->clock.now(); }
  [[nodiscard]] const Handle& handle() const noexcept { return s_->handle; }

 private:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  enum class place : std::uint8_t { vacant, pending, expired };

  struct slot {
    std::optional<T> value;
    time_point deadline{};
    TimerId timer{};
    std::uint32_t generation = 1;
    std::uint32_t prev = npos;  // expired FIFO
    std::uint32_t next = npos;  // expired FIFO
    place where = place::vacant;
  };

  struct state;

  // The wheel's callback: 16 bytes and trivially destructible, so it is kept
  // in the wheel's node and scheduling allocates nothing.
  struct on_due {
    state* s;
    std::uint32_t index;
    void operator()() const noexcept { s->expire(index); }
  };

  // Everything lives behind one pointer so that the wheel's callbacks can
  // point at it and the queue still moves.
  struct state {
    state(ClockRef c, WheelGeometry g) : clock(c), wheel(time_point{}, g) {}

    slot* lookup(Key key) noexcept {
      if (key.index_ >= slots.size()) return nullptr;
      slot& sl = slots[key.index_];
      return sl.generation == key.generation_ && sl.where != place::vacant ? &sl : nullptr;
    }
    const slot* lookup(Key key) const noexcept { return const_cast<state*>(this)->lookup(key); }

    std::uint32_t acquire_slot() {
      if (free.empty()) {
        if (slots.size() >= max_size()) throw std::length_error("tickwheel::DelayQueue: full");
        slots.emplace_back();
        // Reserved now so that returning a slot (noexcept paths) never allocates.
        free.reserve(slots.capacity());
        return static_cast<std::uint32_t>(slots.size() - 1);
      }
      const std::uint32_t index = free.back();
      free.pop_back();
      return index;
    }
    void free_slot(std::uint32_t index) noexcept {
      slot& sl = slots[index];
      sl.value.reset();
      sl.timer = {};
      sl.where = place::vacant;
      if (++sl.generation == 0) sl.generation = 1;  // 0 is never issued
      free.push_back(index);                        // capacity reserved in acquire_slot
    }
    // Out of the wheel or out of the expired FIFO, whichever holds it.
    void detach(slot& sl) noexcept {
      if (sl.where == place::pending) {
        (void)wheel.cancel(sl.timer);
      } else {
        unlink_expired(sl);
      }
    }
    void expire(std::uint32_t index) noexcept {
      slot& sl = slots[index];
      sl.where = place::expired;
      sl.timer = {};
      sl.prev = expired_tail;
      sl.next = npos;
      if (expired_tail == npos) {
        expired_head = index;
      } else {
        slots[expired_tail].next = index;
      }
      expired_tail = index;
    }
    void unlink_expired(slot& sl) noexcept {
      if (sl.prev == npos) {
        expired_head = sl.next;
      } else {
        slots[sl.prev].next = sl.next;
      }
      if (sl.next == npos) {
        expired_tail = sl.prev;
      } else {
        slots[sl.next].prev = sl.prev;
      }
      sl.prev = sl.next = npos;
    }

    ClockRef clock;
    Handle handle;
    TimerWheel wheel;
    std::vector<slot> slots;
    std::vector<std::uint32_t> free;  // vacant slot indices, reused last-in first-out
    std::uint32_t expired_head = npos;
    std::uint32_t expired_tail = npos;
    std::size_t size = 0;
    Delay wake;  // the one driver timer, for pop() and subscribe()

    // Whoever waits (pop() turning the driver, a subscriber) sleeps until
    // wake's deadline: a value due earlier must move it.
    void pull_wake_forward(time_point deadline) noexcept {
      if (!wake.pending()) return;
      if (const std::optional<time_point> armed = wake.deadline(); armed && deadline < *armed) {
        (void)wake.reset(deadline);
      }
    }
  };

  std::unique_ptr<state> s_;
};

}  // namespace tickwheel
