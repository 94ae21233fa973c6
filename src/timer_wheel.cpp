#include "tickwheel/timer_wheel.hpp"

#include <algorithm>
#include <bit>

namespace tickwheel {
namespace {
constexpr std::uint32_t no_node = std::numeric_limits<std::uint32_t>::max();
// Wrap-aware "a was issued before b" for 32-bit sequence numbers.
bool before(std::uint32_t a, std::uint32_t b) noexcept {
  return static_cast<std::int32_t>(a - b) < 0;
}
}  // namespace

std::error_code WheelGeometry::validate() const noexcept {
  if (tick <= std::chrono::nanoseconds::zero() || bits_per_level < 1 || bits_per_level > 8 ||
      levels < 1 || levels * bits_per_level > 63 || levels > 64)
    return make_error_code(errc::invalid_argument);
  return {};
}

TimerWheel::TimerWheel(time_point origin, WheelGeometry geometry)
    : geometry_(geometry), origin_(origin) {
  if (geometry.validate()) throw error(errc::invalid_argument, "invalid wheel geometry");
  tick_ns_ = geometry.tick.count();
  bits_ = geometry.bits_per_level;
  levels_ = geometry.levels;
  slot_mask_ = (1u << bits_) - 1;
  words_per_level_ = std::max(1u, (1u << bits_) / 64);
  const auto wheel_slots = levels_ << bits_;
  due_slot_ = static_cast<std::uint16_t>(wheel_slots);
  overflow_slot_ = static_cast<std::uint16_t>(wheel_slots + 1);
  batch_slot_ = static_cast<std::uint16_t>(wheel_slots + 2);
  slots_.resize(wheel_slots + 3);
  occupied_.assign(static_cast<std::size_t>(levels_) * words_per_level_, 0);
}

TimerWheel::~TimerWheel() {
  for (std::uint32_t i = 0; i < node_count_; ++i) {
    node& n = node_at(i);
    if (n.st != state::free) n.ops->destroy(n.storage);
  }
}

TimerWheel::tick_t TimerWheel::deadline_tick(time_point t) const noexcept {
  const std::int64_t since = detail::sat_sub(t.time_since_epoch().count(),
                                             origin_.time_since_epoch().count());
  if (since <= 0) return 0;
  const auto s = static_cast<std::uint64_t>(since);
  const auto len = static_cast<std::uint64_t>(tick_ns_);
  return s / len + (s % len != 0 ? 1 : 0);  // round up: never early
}

time_point TimerWheel::tick_time(tick_t t) const noexcept {
  const auto len = static_cast<std::uint64_t>(tick_ns_);
  const auto max_ticks = static_cast<std::uint64_t>(detail::i64_max) / len;
  const std::int64_t ns =
      t > max_ticks ? detail::i64_max : static_cast<std::int64_t>(t * len);
  return time_point{duration{detail::sat_add(origin_.time_since_epoch().count(), ns)}};
}

time_point TimerWheel::now() const noexcept { return tick_time(elapsed_); }

TimerWheel::node* TimerWheel::lookup(timer_id id) noexcept {
  if (id.index() >= node_count_) return nullptr;
  node& n = node_at(id.index());
  return (n.generation == id.generation() && n.st != state::free) ? &n : nullptr;
}

const TimerWheel::node* TimerWheel::lookup(timer_id id) const noexcept {
  return const_cast<TimerWheel*>(this)->lookup(id);
}

std::uint32_t TimerWheel::acquire_node() {
  if (free_head_ != no_node) {
    const auto i = free_head_;
    free_head_ = node_at(i).order;
    return i;
  }
  if (node_count_ == no_node) throw error(errc::at_capacity, "timer wheel is full");
  if ((node_count_ & (page_size - 1)) == 0) {
    pages_.push_back(std::make_unique<node[]>(page_size));
  }
  node& n = node_at(node_count_);
  n.generation = 0;
  n.st = state::free;
  return node_count_++;
}

timer_id TimerWheel::commit_node(std::uint32_t index, tick_t deadline) {
  node& n = node_at(index);
  if (++n.generation == 0) n.generation = 1;
  n.st = state::pending;
  n.deadline = deadline;
  n.order = next_order_++;
  ++live_;
  file(index, n);
  return {index, n.generation};
}

void TimerWheel::release_node(std::uint32_t index, node& n) noexcept {
  n.st = state::free;
  n.stamp = 0;
  n.order = free_head_;
  free_head_ = index;
  n.ops->destroy(n.storage);
}

void TimerWheel::append(std::uint16_t slot, std::uint32_t index, node& n) noexcept {
  slot_list& s = slots_[slot];
  if (s.live != 0 && before(n.order, s.last_order)) s.unsorted = true;
  s.last_order = n.order;
  n.stamp = next_stamp_++;
  if (next_stamp_ == 0) next_stamp_ = 1;
  n.slot = slot;
  // Capacity is kept across clears, so a warmed wheel does not allocate here.
  s.entries.push_back({index, n.stamp});
  if (s.live++ == 0 && slot < due_slot_) {
    const unsigned level = slot >> bits_;
    const unsigned pos = slot & slot_mask_;
    occupied_[level * words_per_level_ + pos / 64] |= std::uint64_t{1} << (pos % 64);
  }
}

// Places a node relative to the current tick: the level is the highest
// block of bits in which deadline and now differ.
void TimerWheel::file(std::uint32_t index, node& n) noexcept {
  if (n.deadline <= elapsed_) {
    append(due_slot_, index, n);
    return;
  }
  const tick_t diff = n.deadline ^ elapsed_;
  const unsigned high = 63u - static_cast<unsigned>(std::countl_zero(diff));
  const unsigned level = high / bits_;
  if (level >= levels_) {
    overflow_min_ = std::min(overflow_min_, n.deadline);
    append(overflow_slot_, index, n);
    return;
  }
  const auto pos = static_cast<unsigned>((n.deadline >> (level * bits_)) & slot_mask_);
  append(static_cast<std::uint16_t>((level << bits_) | pos), index, n);
}

void TimerWheel::clear_slot(std::uint16_t slot) noexcept {
  slot_list& s = slots_[slot];
  s.entries.clear();
  s.live = 0;
  s.unsorted = false;
  if (slot < due_slot_) {
    const unsigned level = slot >> bits_;
    const unsigned pos = slot & slot_mask_;
    occupied_[level * words_per_level_ + pos / 64] &= ~(std::uint64_t{1} << (pos % 64));
  } else if (slot == overflow_slot_) {
    overflow_min_ = std::numeric_limits<tick_t>::max();
  }
}

// The node's entry becomes stale (its stamp no longer matches); the slot
// forgets it at once in its live count, and drops it when it is emptied.
void TimerWheel::unlink(node& n) noexcept {
  n.stamp = 0;
  if (n.st != state::pending) return;
  slot_list& s = slots_[n.slot];
  if (--s.live == 0 && !(firing_slot_ && *firing_slot_ == n.slot)) clear_slot(n.slot);
}

bool TimerWheel::cancel(timer_id id) noexcept {
  node* n = lookup(id);
  if (n == nullptr || n->st != state::pending) return false;
  unlink(*n);
  --live_;
  release_node(id.index(), *n);
  return true;
}

bool TimerWheel::reschedule(timer_id id, time_point deadline) noexcept {
  node* n = lookup(id);
  if (n == nullptr) return false;
  if (n->st == state::pending) {
    unlink(*n);
  } else {  // firing: re-armed from its own callback
    n->st = state::pending;
    ++live_;
  }
  n->deadline = deadline_tick(deadline);
  n->order = next_order_++;
  file(id.index(), *n);
  return true;
}

bool TimerWheel::push_later(timer_id id, time_point deadline) noexcept {
  node* n = lookup(id);
  if (n == nullptr) return false;
  const tick_t t = deadline_tick(deadline);
  if (n->st != state::pending || t < n->deadline || n->slot >= due_slot_) {
    return reschedule(id, deadline);
  }
  n->deadline = t;
  n->order = next_order_++;
  return true;
}

bool TimerWheel::pending(timer_id id) const noexcept {
  const node* n = lookup(id);
  return n != nullptr && n->st == state::pending;
}

std::optional<time_point> TimerWheel::deadline(timer_id id) const noexcept {
  const node* n = lookup(id);
  if (n == nullptr || n->st != state::pending) return std::nullopt;
  return tick_time(n->deadline);
}

// First occupied slot index >= from at a level, or -1.
int TimerWheel::next_slot(unsigned level, unsigned from) const noexcept {
  const std::uint64_t* words = &occupied_[level * words_per_level_];
  const unsigned slots = 1u << bits_;
  while (from < slots) {
    const unsigned w = from / 64;
    std::uint64_t bits = words[w] >> (from % 64);
    if (bits != 0) return static_cast<int>(from + static_cast<unsigned>(std::countr_zero(bits)));
    from = (w + 1) * 64;
  }
  return -1;
}

// The tick at which the next piece of work (a fire or a cascade) is due.
std::optional<TimerWheel::work> TimerWheel::next_work() const noexcept {
  if (firing_slot_) return work{elapsed_, *firing_slot_};
  if (slots_[due_slot_].live != 0) return work{elapsed_, due_slot_};
  for (unsigned level = 0; level < levels_; ++level) {
    const unsigned shift = level * bits_;
    const auto cur = static_cast<unsigned>((elapsed_ >> shift) & slot_mask_);
    // Level 0 may hold the current tick (cascaded at it); higher levels
    // only hold slots after the current one.
    const int s = next_slot(level, level == 0 ? cur : cur + 1);
    if (s < 0) continue;
    const unsigned block = shift + bits_;
    const tick_t base = block >= 64 ? 0 : (elapsed_ >> block) << block;
    return work{base | (static_cast<tick_t>(s) << shift),
                static_cast<std::uint16_t>((level << bits_) | static_cast<unsigned>(s))};
  }
  if (slots_[overflow_slot_].live != 0) {
    const unsigned span = levels_ * bits_;
    return work{std::max(elapsed_, (overflow_min_ >> span) << span), overflow_slot_};
  }
  return std::nullopt;
}

std::optional<time_point> TimerWheel::next_deadline() const noexcept {
  const auto w = next_work();
  if (!w) return std::nullopt;
  return tick_time(w->at);
}

void TimerWheel::sort_slot(slot_list& s) noexcept {
  // Stale entries sort anywhere; they are skipped when fired.
  std::stable_sort(s.entries.begin(), s.entries.end(), [this](entry a, entry b) {
    const node& na = node_at(a.index);
    const node& nb = node_at(b.index);
    if (na.deadline != nb.deadline) return na.deadline < nb.deadline;
    return before(na.order, nb.order);
  });
  s.unsorted = false;
}

// Re-files every current entry of a slot relative to the (new) current tick.
void TimerWheel::cascade(std::uint16_t slot) noexcept {
  scratch_.swap(slots_[slot].entries);
  clear_slot(slot);
  for (const entry e : scratch_) {
    node& n = node_at(e.index);
    if (n.stamp != e.stamp || n.st != state::pending) continue;
    if (n.deadline == elapsed_) {  // due at the tick being entered: fire in this pass
      append(static_cast<std::uint16_t>(elapsed_ & slot_mask_), e.index, n);
    } else {
      file(e.index, n);
    }
  }
  scratch_.clear();
}

bool TimerWheel::fire_one(std::uint32_t index, node& n) {
  n.stamp = 0;
  n.st = state::firing;
  --live_;
  const timer_id self{index, n.generation};
  struct finish {
    TimerWheel* w;
    std::uint32_t index;
    ~finish() {
      node& m = w->node_at(index);
      if (m.st == state::firing) w->release_node(index, m);
    }
  } guard{this, index};
  n.ops->invoke(n.storage, self);
  return true;
}

AdvanceResult TimerWheel::advance(time_point now_tp, std::size_t budget) {
  AdvanceResult result;
  // The tick fully reached by `now`: deadline tick k is due once now >= k ticks.
  const std::int64_t since = detail::sat_sub(now_tp.time_since_epoch().count(),
                                             origin_.time_since_epoch().count());
  const tick_t target =
      std::max<tick_t>(elapsed_, since <= 0 ? 0 : static_cast<tick_t>(since) /
                                                     static_cast<tick_t>(tick_ns_));
  for (;;) {
    if (firing_slot_) {
      slot_list& list = slots_[*firing_slot_];
      while (firing_pos_ < list.entries.size()) {
        if (result.fired == budget) {
          result.more = true;
          return result;
        }
        const entry e = list.entries[firing_pos_++];
        node& n = node_at(e.index);
        if (n.stamp != e.stamp || n.st != state::pending) continue;
        if (n.deadline > elapsed_) {  // pushed later: re-file, don't fire
          --list.live;
          file(e.index, n);
          continue;
        }
        ++result.fired;
        fire_one(e.index, n);
      }
      const auto done = *firing_slot_;
      firing_slot_.reset();
      clear_slot(done);
      continue;
    }
    const auto w = next_work();
    if (!w || w->at > target) break;
    elapsed_ = w->at;
    if (w->slot == due_slot_) {
      // Detach the due list so that timers a callback files as due go to a
      // fresh list, and fire them in (deadline, order) order.
      slot_list& due = slots_[due_slot_];
      slot_list& batch = slots_[batch_slot_];
      batch.entries.swap(due.entries);
      batch.live = due.live;
      batch.unsorted = due.unsorted;
      due.live = 0;
      due.unsorted = false;
      for (const entry e : batch.entries) {
        node& n = node_at(e.index);
        if (n.stamp == e.stamp) n.slot = batch_slot_;
      }
      // Past deadlines arrive in any deadline order: always sort the batch.
      if (batch.entries.size() > 1) sort_slot(batch);
      firing_slot_ = batch_slot_;
      firing_pos_ = 0;
    } else if (w->slot < (1u << bits_)) {
      if (slots_[w->slot].unsorted) sort_slot(slots_[w->slot]);
      firing_slot_ = w->slot;
      firing_pos_ = 0;
    } else {
      cascade(w->slot);  // a higher level or the overflow
    }
  }
  elapsed_ = std::max(elapsed_, target);
  return result;
}

}  // namespace tickwheel
