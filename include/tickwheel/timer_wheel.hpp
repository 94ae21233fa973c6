// File: TimerWheel, the single-threaded hashed hierarchical timing wheel that
// every timer of tickwheel stands on (Varghese & Lauck).
//
// Tuned for many live timers of which most are cancelled or pushed back
// before they fire (timeouts, idle and watchdog timers):
//  - schedule, cancel and reschedule are O(1) and allocate nothing once the
//    node pool and slot arrays have grown;
//  - cancel touches one node (a slot keeps a live count and drops stale
//    entries lazily), so it costs one cache miss on a cold wheel;
//  - push_later() only records a later deadline; the entry is re-filed when
//    its old slot comes due, which makes re-arming an idle timer nearly free;
//  - next_deadline() and skipping empty time use per-level occupancy bitmaps.
//
// The wheel has no clock: advance(now) is given the current time.
//
// Contracts (see ARCHITECTURE.md): never early (deadlines round up to the
// next tick), exactly once, deadline order with ties in the order the timers
// were scheduled or last rescheduled, reentrant callbacks, unlimited range.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "tickwheel/chrono.hpp"
#include "tickwheel/detail/callback.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/fwd.hpp"

namespace tickwheel {

/// The shape of a wheel: tick length, number of levels and slots per level
/// (2^bits_per_level). The wheel spans 2^(levels*bits_per_level) ticks;
/// later deadlines wait in an overflow level.
struct WheelGeometry {
  std::chrono::nanoseconds tick = std::chrono::milliseconds(1);
  unsigned levels = 4;
  unsigned bits_per_level = 8;

  /// The seed's wheel: 6 levels of 64 slots at 1 ms (spans about 2.2 years).
  [[nodiscard]] static constexpr WheelGeometry levels_of_64() noexcept {
    return {std::chrono::milliseconds(1), 6, 6};
  }
  /// 4 levels of 256 slots at 1 ms (spans about 49.7 days): fewer cascades.
  [[nodiscard]] static constexpr WheelGeometry levels_of_256() noexcept {
    return {std::chrono::milliseconds(1), 4, 8};
  }
  /// The default, chosen by benchmark (bench/run, workloads W1-W8).
  [[nodiscard]] static constexpr WheelGeometry default_geometry() noexcept {
    return levels_of_256();
  }

  /// errc::invalid_argument unless tick > 0, 1 <= bits_per_level <= 8,
  /// levels >= 1 and levels * bits_per_level <= 63.
  [[nodiscard]] std::error_code validate() const noexcept;
};

/// What one advance() call did.
struct AdvanceResult {
  std::size_t fired = 0;  ///< callbacks run
  bool more = false;      ///< the budget ran out with due timers left
};

/// A hashed hierarchical timing wheel.
///
/// Thread safety: none; one thread owns a wheel (the Driver adds the
/// cross-thread layer). Distinct wheels are independent.
///
/// Callbacks: `void()` or `void(timer_id)`. A callback may schedule, cancel
/// and reschedule any timer. During its own callback a timer is no longer
/// pending: cancel(self) returns false, reschedule(self, t) re-arms it (the
/// periodic-timer pattern). A callback must not call advance(). If a callback
/// throws, the exception leaves advance() with the wheel consistent; the
/// remaining due timers fire on the next call.
class TimerWheel {
 public:
  /// A wheel whose tick 0 is `origin`. Throws tickwheel::error
  /// (errc::invalid_argument) for a geometry that validate() rejects.
  explicit TimerWheel(time_point origin = time_point{},
                      WheelGeometry geometry = WheelGeometry::default_geometry());
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  /// Schedules `f` to run at the first advance() with now >= deadline
  /// (rounded up to a tick). A deadline at or before now() fires on the next
  /// advance. Complexity: O(1). Allocates only to grow the pool.
  template <class F>
  [[nodiscard]] timer_id schedule_at(time_point deadline, F&& f) {
    const std::uint32_t index = acquire_node();
    node& n = node_at(index);
    n.ops = detail::emplace_callback(n.storage, std::forward<F>(f));
    return commit_node(index, deadline_tick(deadline));
  }

  /// Schedules `f` after `d` from now(); a negative `d` means already due.
  /// Throws tickwheel::error(errc::invalid_argument) for NaN or a floating
  /// duration beyond the int64 nanosecond range.
  template <class Rep, class Period, class F>
  [[nodiscard]] timer_id schedule_after(std::chrono::duration<Rep, Period> d, F&& f) {
    return schedule_at(saturating_add(now(), checked_nanoseconds(d)), std::forward<F>(f));
  }

  /// Cancels a pending timer; false for an id that fired, was cancelled, is
  /// firing right now, or was never issued. Destroys the callback.
  /// Complexity: O(1), one node touched.
  bool cancel(timer_id id) noexcept;

  /// Moves a pending (or currently firing) timer to `deadline`; it then
  /// orders as if scheduled now. False if the id is not live. O(1).
  bool reschedule(timer_id id, time_point deadline) noexcept;

  /// Like reschedule(), but a later deadline is only recorded: the entry is
  /// re-filed when its old slot comes due (at most one extra wake-up for a
  /// driver at the old deadline). An earlier deadline reschedules at once.
  bool push_later(timer_id id, time_point deadline) noexcept;

  /// True while `id` is pending (scheduled, not fired or cancelled).
  [[nodiscard]] bool pending(timer_id id) const noexcept;
  /// The deadline of a pending timer, rounded up to its tick.
  [[nodiscard]] std::optional<time_point> deadline(timer_id id) const noexcept;

  /// The earliest time at which advance() has work, or nullopt when no timer
  /// is pending. Exact for timers due within one level-0 span of now();
  /// otherwise the start of the slot that must be cascaded, never later than
  /// the earliest deadline. Never reports cancelled timers. O(levels).
  [[nodiscard]] std::optional<time_point> next_deadline() const noexcept;

  /// Moves the wheel to `now` and runs every callback due by then, in
  /// deadline order, at most `budget` of them. Empty stretches are skipped
  /// through the bitmaps: O(levels + due work). A `now` earlier than now()
  /// only fires what is already due.
  AdvanceResult advance(time_point now,
                        std::size_t budget = std::numeric_limits<std::size_t>::max());

  /// The wheel's current time: the last advance()'s now (or the origin),
  /// truncated to a tick.
  [[nodiscard]] time_point now() const noexcept;
  /// Pending timers (fired and cancelled ones excluded).
  [[nodiscard]] std::size_t size() const noexcept { return live_; }
  [[nodiscard]] bool empty() const noexcept { return live_ == 0; }
  [[nodiscard]] const WheelGeometry& geometry() const noexcept { return geometry_; }

  /// Bytes per timer node, callback storage included (reported by the tests).
  static constexpr std::size_t node_bytes() noexcept { return sizeof(node); }

 private:
  using tick_t = std::uint64_t;

  enum class state : std::uint8_t { free, pending, firing };

  // 48 bytes: one cache line holds a node and a bit; cancel reads one node.
  struct node {
    const detail::callback_ops* ops;
    alignas(8) unsigned char storage[detail::callback_buffer];
    tick_t deadline;          // may be later than the slot holding it (push_later)
    std::uint32_t generation; // bumped when the node is freed
    std::uint32_t stamp;      // matches the one slot entry that is current
    std::uint32_t order;      // tie-break: schedule sequence (also free-list link)
    std::uint16_t slot;       // index into slots_, or the due / overflow list
    state st;
  };

  struct entry {
    std::uint32_t index;
    std::uint32_t stamp;
  };

  struct slot_list {
    std::vector<entry> entries;
    std::uint32_t live = 0;        // pending nodes whose current entry is here
    std::uint32_t last_order = 0;  // order of the last entry appended
    bool unsorted = false;         // some entry arrived out of order
  };

  static constexpr std::uint32_t page_bits = 12;
  static constexpr std::uint32_t page_size = 1u << page_bits;

  node& node_at(std::uint32_t i) noexcept { return pages_[i >> page_bits][i & (page_size - 1)]; }
  const node& node_at(std::uint32_t i) const noexcept {
    return pages_[i >> page_bits][i & (page_size - 1)];
  }
  node* lookup(timer_id id) noexcept;
  const node* lookup(timer_id id) const noexcept;

  std::uint32_t acquire_node();
  timer_id commit_node(std::uint32_t index, tick_t deadline);
  void release_node(std::uint32_t index, node& n) noexcept;
  void file(std::uint32_t index, node& n) noexcept;
  void unlink(node& n) noexcept;
  void append(std::uint16_t slot, std::uint32_t index, node& n) noexcept;
  void clear_slot(std::uint16_t slot) noexcept;
  tick_t deadline_tick(time_point t) const noexcept;
  time_point tick_time(tick_t t) const noexcept;
  int next_slot(unsigned level, unsigned from) const noexcept;
  struct work {
    tick_t at;
    std::uint16_t slot;
  };
  std::optional<work> next_work() const noexcept;
  void cascade(std::uint16_t slot) noexcept;
  void sort_slot(slot_list& s) noexcept;
  bool fire_one(std::uint32_t index, node& n);

  WheelGeometry geometry_;
  time_point origin_;
  std::int64_t tick_ns_;
  unsigned bits_;
  unsigned levels_;
  std::uint32_t slot_mask_;
  unsigned words_per_level_;
  tick_t elapsed_ = 0;  // the current tick
  std::uint16_t due_slot_;
  std::uint16_t overflow_slot_;
  std::uint16_t batch_slot_;  // the due list detached for firing

  std::vector<std::unique_ptr<node[]>> pages_;
  std::uint32_t node_count_ = 0;
  std::uint32_t free_head_ = std::numeric_limits<std::uint32_t>::max();
  std::size_t live_ = 0;
  std::uint32_t next_stamp_ = 1;
  std::uint32_t next_order_ = 0;

  std::vector<slot_list> slots_;  // levels << bits, then due, overflow, batch
  std::vector<std::uint64_t> occupied_;     // words_per_level_ per level
  tick_t overflow_min_ = std::numeric_limits<tick_t>::max();

  // The level-0 slot being fired, and how far: lets a budget or an exception
  // stop mid-slot and the next advance() resume where it stopped.
  std::optional<std::uint16_t> firing_slot_;
  std::size_t firing_pos_ = 0;
  std::vector<entry> scratch_;
};

}  // namespace tickwheel
