// File: TimerWheel, the single-threaded hashed hierarchical timing wheel that
// every timer of tickwheel stands on (Varghese & Lauck).
//
// Tuned for many live timers of which most are cancelled or pushed back
// before they fire (timeouts, idle and watchdog timers):
//  - schedule, cancel and reschedule are O(1) and allocate nothing once the
//    node pool and the slot arrays have grown;
//  - a slot is an array of small entries, not a linked list: cancel touches
//    only the timer's own node (the slot keeps a live count and forgets the
//    stale entry lazily), so it costs one cache miss on a cold wheel;
//  - push_later() only records a later deadline; the entry is re-filed when
//    its old slot comes due, which makes re-arming an idle timer nearly free;
//  - per-level occupancy bitmaps answer next_deadline() and let advance()
//    jump over empty time without visiting slots.
//
// The wheel has no clock: advance(now) is given the current time.
//
// Contracts (see ARCHITECTURE.md): never early (deadlines round up to the
// next tick), exactly once, deadline order with ties in the order the timers
// were scheduled or last rescheduled, reentrant callbacks, unlimited range.
#pragma once

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "tickwheel/chrono.hpp"
#include "tickwheel/detail/callback.hpp"
#include "tickwheel/detail/divider.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/fwd.hpp"

namespace tickwheel {

/// The shape of a wheel: the tick length, the number of levels and the slots
/// per level (2^bits_per_level). Level k's slots each cover 2^(k*bits) ticks;
/// the wheel spans 2^(levels*bits) ticks and later deadlines wait in an
/// overflow list that is re-filed as time advances.
struct WheelGeometry {
  duration tick = std::chrono::milliseconds(1);
  unsigned levels = 4;
  unsigned bits_per_level = 8;

  /// The seed's wheel: 6 levels of 64 slots at 1 ms (spans about 2.2 years).
  [[nodiscard]] static constexpr WheelGeometry levels_of_64() noexcept {
    return {std::chrono::milliseconds(1), 6, 6};
  }
  /// 4 levels of 256 slots at 1 ms (spans about 49.7 days before the
  /// overflow list): a timer up to 65 s out is re-filed at most once.
  [[nodiscard]] static constexpr WheelGeometry levels_of_256() noexcept {
    return {std::chrono::milliseconds(1), 4, 8};
  }
  /// The default, chosen by benchmark (bench/run, workloads W1-W8).
  [[nodiscard]] static constexpr WheelGeometry default_geometry() noexcept {
    return levels_of_256();
  }

  /// errc::invalid_argument unless tick > 0, 1 <= bits_per_level <= 12,
  /// levels >= 1 and levels * bits_per_level <= 64.
  [[nodiscard]] std::error_code validate() const noexcept;

  friend constexpr bool operator==(const WheelGeometry&, const WheelGeometry&) noexcept = default;
};

/// What one advance() call did.
struct AdvanceResult {
  std::size_t fired = 0;  ///< callbacks run
  bool more = false;      ///< the budget ran out with due timers left
};

/// Counters for tests and monitoring.
struct WheelStats {
  std::size_t pending = 0;       ///< timers scheduled and not yet fired or cancelled
  std::size_t nodes = 0;         ///< timer nodes allocated (pending + free)
  std::size_t slot_entries = 0;  ///< entries held by slots, stale ones included
  std::size_t node_bytes = 0;    ///< bytes per node, callback storage included
};

/// A hashed hierarchical timing wheel.
///
/// Thread safety: none; one thread owns a wheel (the Driver adds the
/// cross-thread layer). Distinct wheels are independent.
///
/// Callbacks are `void()` or `void(TimerId)`; callables of up to 16 bytes are
/// stored in the timer's node. A callback may schedule, cancel and reschedule
/// any timer. During its own callback a timer is no longer pending:
/// cancel(self) returns false and reschedule(self, t) re-arms it (the
/// periodic-timer pattern); the callable stays alive until it returns even if
/// it is re-armed and then cancelled. A callback must not call advance() (it
/// throws). If a callback throws, the exception leaves advance() with the
/// wheel consistent; the remaining due timers fire on the next call.
///
/// Memory: a node per timer (node_bytes(), 48 bytes) plus an 8-byte slot
/// entry; stale entries left by cancel and reschedule are compacted away
/// before a slot holds more than twice its live timers (plus a small
/// constant), so memory stays proportional to the live timers however often
/// they are re-armed. Allocation failure while re-filing (inside the
/// noexcept operations) terminates.
class TimerWheel {
 public:
  /// A wheel whose tick 0 is `origin`. Throws tickwheel::error
  /// (errc::invalid_argument) for a geometry that validate() rejects.
  explicit TimerWheel(time_point origin = time_point{},
                      WheelGeometry geometry = WheelGeometry::default_geometry());
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  /// Schedules `f` to run at the first advance() whose now is at or after
  /// `deadline` rounded up to a tick. A deadline at or before now() is due:
  /// it fires on the next advance. Complexity: O(1). Allocates only to grow
  /// the pool or a slot; if that (or copying `f`) throws, nothing changed.
  template <class F>
  [[nodiscard]] TimerId schedule_at(time_point deadline, F&& f) {
    const tick_t tick = deadline_tick(deadline);
    const std::uint32_t index = acquire_node();  // may throw; nothing changed yet
    node& n = node_at(index);
    try {
      n.ops = detail::emplace_callback(n.storage, std::forward<F>(f));
    } catch (...) {
      return_node(index, n);
      throw;
    }
    return commit_node(index, n, tick);  // on failure it undoes the above
  }

  /// Schedules `f` after `d` from now() (the time of the last advance); a
  /// negative `d` means already due. Throws tickwheel::error
  /// (errc::invalid_argument) for NaN or a floating duration beyond the
  /// int64 nanosecond range.
  template <class Rep, class Period, class F>
  [[nodiscard]] TimerId schedule_after(std::chrono::duration<Rep, Period> d, F&& f) {
    return schedule_at(deadline_after(now(), checked_nanoseconds(d)), std::forward<F>(f));
  }

  /// Cancels a pending timer and destroys its callback; false for an id that
  /// fired, was cancelled, is running its callback, or was never issued.
  /// Complexity: O(1), touches the timer's node only.
  bool cancel(TimerId id) noexcept;

  /// Moves a pending timer (or one whose callback is running: it is re-armed)
  /// to `deadline`; it then orders as if scheduled now. False if the id names
  /// no live timer. O(1).
  bool reschedule(TimerId id, time_point deadline) noexcept;

  /// Like reschedule(), observably, but a later deadline is only recorded:
  /// the entry moves when its old slot comes due, so a driver may wake once
  /// at the old deadline. An earlier deadline reschedules at once. O(1).
  /// Inline: it is the idle-timer hot path, a few instructions on one node.
  bool push_later(TimerId id, time_point deadline) noexcept {
    if (id.index() < node_count_) {
      node& n = node_at(id.index());
      const tick_t t = deadline_tick(deadline);
      if (n.st == state::pending && n.generation == id.generation() && t > n.deadline &&
          n.slot != due_slot_) {
        // Its entry stays where it is; whoever meets it there re-files it by
        // this deadline, and its order then sorts it among that tick's timers.
        n.deadline = t;
        n.order = next_order_++;
        return true;
      }
    }
    return reschedule(id, deadline);  // earlier, due, firing, or no live timer (false)
  }

  /// True while `id` is pending (scheduled, not fired, not cancelled).
  [[nodiscard]] bool pending(TimerId id) const noexcept;
  /// The deadline of a pending timer, rounded up to its tick.
  [[nodiscard]] std::optional<time_point> deadline(TimerId id) const noexcept;

  /// When advance() next has work, or nullopt when no timer is pending.
  /// Never later than the earliest pending deadline; exact when that timer
  /// is within one level-0 rotation of now(), otherwise it may be the start
  /// of the coarse slot that must be re-filed first (or, after a push_later,
  /// the old deadline). A cancelled timer is never the answer unless it
  /// shared a coarse slot with live timers. O(levels) from the bitmaps.
  [[nodiscard]] std::optional<time_point> next_deadline() const noexcept;

  /// Moves the wheel to `now` and runs the callbacks due by then, in
  /// deadline order, at most `budget` of them (more = true when the budget
  /// stopped it; the next call resumes). Empty stretches are skipped through
  /// the bitmaps: O(levels + due work). A `now` earlier than now() only fires
  /// what is already due. Timers that a callback schedules at or before the
  /// current tick run before time moves on, but at most once per tick per
  /// call, so a callback re-arming itself for "now" cannot livelock one
  /// call (the rest waits for the next call). Throws tickwheel::error
  /// (errc::invalid_argument) when called from one of this wheel's callbacks.
  AdvanceResult advance(time_point now,
                        std::size_t budget = std::numeric_limits<std::size_t>::max()) {
    const tick_t target = std::max(elapsed_, reached_tick(now));
    if (target < next_work_ && !firing_slot_ && slots_[due_slot_].live == 0 && !in_advance_) {
      elapsed_ = target;  // nothing to do before target: O(1)
      return {};
    }
    return advance_slow(target, budget);
  }

  /// Cancels every pending timer. O(nodes).
  void clear() noexcept;
  /// Grows the node pool to hold `timers` without allocating later.
  void reserve(std::size_t timers);

  /// The wheel's current time: the last advance()'s now (or the origin),
  /// truncated to a tick.
  [[nodiscard]] time_point now() const noexcept;
  /// Pending timers (fired and cancelled ones excluded).
  [[nodiscard]] std::size_t size() const noexcept { return live_; }
  [[nodiscard]] bool empty() const noexcept { return live_ == 0; }
  [[nodiscard]] const WheelGeometry& geometry() const noexcept { return geometry_; }
  [[nodiscard]] WheelStats stats() const noexcept;

  /// Bytes per timer node, callback storage included.
  static constexpr std::size_t node_bytes() noexcept { return sizeof(node); }

 private:
  using tick_t = std::uint64_t;

  enum class state : std::uint8_t { free, pending, firing, released };

  // 48 bytes: cancel and push_later read and write this node only.
  struct node {
    const detail::callback_ops* ops;
    alignas(8) unsigned char storage[detail::callback_buffer];
    tick_t deadline;           // may be later than its slot's time (push_later)
    std::uint32_t generation;  // bumped when the node is handed out again
    std::uint32_t stamp;       // equals the stamp of its one current slot entry
    std::uint32_t order;       // tie-break: (re)schedule sequence
    std::uint16_t slot;        // the slot holding its current entry
    state st;
  };

  struct entry {
    std::uint32_t index;
    std::uint32_t stamp;
  };

  // A growable array of entries (trivially copyable, so realloc moves it).
  struct slot_list {
    entry* data = nullptr;
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
    std::uint32_t live = 0;        // pending nodes whose current entry is here
    std::uint32_t last_order = 0;  // latest order appended
    tick_t min_deadline = 0;       // lower bound of the live deadlines (0: unknown)
    bool unsorted = false;         // an entry arrived out of order
  };

  struct work {
    tick_t at;
    std::uint16_t slot;
  };

  // Nodes live in pages that double in size (64, 128, 256, ... nodes), so a
  // small wheel stays small, a large one gets large contiguous blocks, and no
  // node ever moves. Index i is at position i + 64 of the page sequence: its
  // page is that position's bit width less 7 and its offset the position
  // without its top bit.
  static constexpr unsigned first_page_bits = 6;
  static constexpr unsigned max_pages = 33 - first_page_bits;
  static constexpr std::uint32_t max_nodes = ~std::uint32_t{0} - (1u << first_page_bits);
  static constexpr std::uint32_t no_node = ~std::uint32_t{0};
  static constexpr tick_t no_tick = ~tick_t{0};

  node& node_at(std::uint32_t i) noexcept {
    const std::uint64_t g = std::uint64_t{i} + (1u << first_page_bits);
    const auto w = static_cast<unsigned>(std::bit_width(g));
    return pages_[w - first_page_bits - 1][g ^ (std::uint64_t{1} << (w - 1))];
  }
  const node& node_at(std::uint32_t i) const noexcept {
    return const_cast<TimerWheel*>(this)->node_at(i);
  }
  node* lookup(TimerId id) noexcept;
  const node* lookup(TimerId id) const noexcept;
  bool is_current(const entry& e, std::uint16_t slot) const noexcept;

  tick_t deadline_tick(time_point t) const noexcept {
    const std::int64_t since =
        detail::sat_sub(t.time_since_epoch().count(), origin_.time_since_epoch().count());
    return since <= 0 ? 0 : div_.ceil(static_cast<std::uint64_t>(since));  // never early
  }
  tick_t reached_tick(time_point t) const noexcept {
    // The last, partial tick of the time_point range can only be reached at
    // its very end: a deadline there must still fire, and never early.
    if (t == time_point::max()) return deadline_tick(t);
    const std::int64_t since =
        detail::sat_sub(t.time_since_epoch().count(), origin_.time_since_epoch().count());
    return since <= 0 ? 0 : div_.floor(static_cast<std::uint64_t>(since));
  }
  time_point tick_time(tick_t t) const noexcept;

  // Free nodes are a stack of indices, not a list through the nodes: popping
  // one never waits for a cache miss on the node it frees up next.
  std::uint32_t acquire_node() {
    if (free_.empty()) return new_node();
    const std::uint32_t i = free_.back();
    free_.pop_back();
    // Freed nodes come back in firing order, scattered: fetch the one a few
    // schedules ahead now, so bursts of schedules overlap their misses.
    if (free_.size() > free_prefetch) {
      __builtin_prefetch(&node_at(free_[free_.size() - free_prefetch]), 1);
    }
    return i;
  }
  static constexpr std::size_t free_prefetch = 8;
  std::uint32_t new_node();
  void return_node(std::uint32_t index, node& n) noexcept {
    n.st = state::free;
    free_.push_back(index);  // never reallocates: capacity >= nodes (new_node)
  }
  TimerId commit_node(std::uint32_t index, node& n, tick_t deadline);
  void release_node(std::uint32_t index, node& n) noexcept;
  void finalize_node(std::uint32_t index, node& n) noexcept;
  std::uint16_t slot_for(tick_t deadline) const noexcept;
  void file(std::uint32_t index, node& n) noexcept;
  void append_newest(std::uint16_t slot, std::uint32_t index, node& n) noexcept;
  void append(std::uint16_t slot, std::uint32_t index, node& n) noexcept;
  void push(slot_list& s, std::uint16_t slot, std::uint32_t index, node& n) noexcept;
  void unlink(node& n) noexcept;
  void clear_slot(std::uint16_t slot) noexcept;
  void compact(slot_list& s, std::uint16_t slot) noexcept;
  static void grow(slot_list& s, std::size_t at_least);
  void set_bit(std::uint16_t slot) noexcept;
  void clear_bit(std::uint16_t slot) noexcept;
  tick_t slot_start(std::uint16_t slot) const noexcept;
  int next_occupied(unsigned level, unsigned from) const noexcept;
  std::optional<work> next_work() const noexcept;
  void cascade(std::uint16_t slot) noexcept;
  void sort_slot(slot_list& s) noexcept;
  void start_firing(std::uint16_t slot) noexcept;
  void fire(std::uint32_t index, node& n);
  AdvanceResult advance_slow(tick_t target, std::size_t budget);

  WheelGeometry geometry_;
  time_point origin_;
  detail::Divider div_;
  unsigned bits_;
  unsigned levels_;
  unsigned span_bits_;  // levels * bits: ticks beyond 2^span_bits overflow
  std::uint32_t slot_mask_;
  unsigned words_per_level_;
  std::uint16_t due_slot_;
  std::uint16_t overflow_slot_;
  std::uint16_t batch_slot_;       // the due list, detached for firing
  std::uint8_t level_of_bit_[64];  // bit position -> level (levels_ means overflow)
  tick_t level_start_mask_[65];    // per level: clears the bits below its slots

  tick_t elapsed_ = 0;            // the current tick
  mutable tick_t next_work_ = 0;  // lower bound of the next level/overflow work
  std::size_t live_ = 0;
  std::uint32_t next_stamp_ = 1;
  std::uint32_t next_order_ = 0;
  tick_t overflow_min_ = no_tick;  // lower bound of the overflow deadlines

  struct page_free {
    void operator()(node* p) const noexcept;
  };
  static std::unique_ptr<node[], page_free> make_page(std::size_t nodes);
  std::unique_ptr<node[], page_free> pages_[max_pages];
  std::uint32_t node_count_ = 0;
  std::vector<std::uint32_t> free_;  // indices of free nodes

  std::vector<slot_list> slots_;         // levels << bits, then due, overflow, batch
  std::vector<std::uint64_t> occupied_;  // words_per_level_ per level

  // The slot being fired and how far: lets a budget or an exception stop
  // mid-slot and the next advance() resume where it stopped.
  std::optional<std::uint16_t> firing_slot_;
  std::size_t firing_pos_ = 0;
  std::uint32_t running_ = no_node;  // node whose callback is executing
  bool in_advance_ = false;
  slot_list scratch_;  // a cascading slot's entries
};

}  // namespace tickwheel
