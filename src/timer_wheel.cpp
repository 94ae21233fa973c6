#include "tickwheel/timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <sys/mman.h>

// The few functions on the schedule / cancel / fire paths are inlined into
// their callers in this file; the rare ones are kept out of their way.
#define TICKWHEEL_HOT [[gnu::always_inline]] inline
#define TICKWHEEL_COLD [[gnu::noinline, gnu::cold]]

namespace tickwheel {
namespace {

// A slot is compacted when it holds this many entries beyond twice its live
// ones: stale entries then cost O(1) amortized and memory stays bounded.
constexpr std::uint32_t compaction_slack = 64;

// Cascades and fires walk entries in order but their nodes are scattered:
// asking for the node a few entries ahead hides most of the miss latency.
constexpr std::size_t prefetch_distance = 8;

}  // namespace

std::error_code WheelGeometry::validate() const noexcept {
  if (tick <= duration::zero() || bits_per_level < 1 || bits_per_level > 12 || levels < 1 ||
      levels > 64 || levels * bits_per_level > 64) {
    return make_error_code(errc::invalid_argument);
  }
  return {};
}

namespace {

std::uint64_t checked_tick(const WheelGeometry& g) {
  if (g.validate()) {
    throw error(errc::invalid_argument,
                "invalid wheel geometry (tick " + std::to_string(g.tick.count()) + " ns, " +
                    std::to_string(g.levels) + " levels of 2^" + std::to_string(g.bits_per_level) +
                    " slots): the tick must be positive, bits_per_level 1 to 12, and levels * "
                    "bits_per_level at most 64");
  }
  return static_cast<std::uint64_t>(g.tick.count());
}

}  // namespace

TimerWheel::TimerWheel(time_point origin, WheelGeometry geometry)
    : geometry_(geometry), origin_(origin), div_(checked_tick(geometry)) {
  bits_ = geometry.bits_per_level;
  levels_ = geometry.levels;
  span_bits_ = levels_ * bits_;
  for (unsigned bit = 0; bit < 64; ++bit) {
    level_of_bit_[bit] = static_cast<std::uint8_t>(std::min(bit / bits_, levels_));
  }
  for (unsigned level = 0; level <= levels_; ++level) {
    const unsigned shift = level * bits_;
    level_start_mask_[level] = shift >= 64 ? 0 : ~tick_t{0} << shift;
  }
  slot_mask_ = (1u << bits_) - 1;
  words_per_level_ = std::max(1u, (1u << bits_) / 64);
  const unsigned wheel_slots = levels_ << bits_;
  due_slot_ = static_cast<std::uint16_t>(wheel_slots);
  overflow_slot_ = static_cast<std::uint16_t>(wheel_slots + 1);
  batch_slot_ = static_cast<std::uint16_t>(wheel_slots + 2);
  slots_.resize(wheel_slots + 3);
  occupied_.assign(static_cast<std::size_t>(levels_) * words_per_level_, 0);
  next_work_ = no_tick;
}

TimerWheel::~TimerWheel() {
  for (std::uint32_t i = 0; i < node_count_; ++i) {
    node& n = node_at(i);
    if (n.st != state::free) detail::destroy_callback(n.ops, n.storage);
  }
  for (slot_list& s : slots_) std::free(s.data);
  std::free(scratch_.data);
}

// ---- time <-> ticks ------------------------------------------------------

time_point TimerWheel::tick_time(tick_t t) const noexcept {
  const std::uint64_t len = div_.divisor();
  const std::uint64_t max_ticks = static_cast<std::uint64_t>(detail::i64_max) / len;
  const std::int64_t ns = t > max_ticks ? detail::i64_max : static_cast<std::int64_t>(t * len);
  return time_point{duration{detail::sat_add(origin_.time_since_epoch().count(), ns)}};
}

time_point TimerWheel::now() const noexcept { return tick_time(elapsed_); }

// ---- nodes ---------------------------------------------------------------

TimerWheel::node* TimerWheel::lookup(TimerId id) noexcept {
  if (id.index() >= node_count_) return nullptr;
  node& n = node_at(id.index());
  const bool live = n.st == state::pending || n.st == state::firing;
  return (live && n.generation == id.generation()) ? &n : nullptr;
}

const TimerWheel::node* TimerWheel::lookup(TimerId id) const noexcept {
  return const_cast<TimerWheel*>(this)->lookup(id);
}

TICKWHEEL_HOT bool TimerWheel::is_current(const entry& e, std::uint16_t slot) const noexcept {
  // The slot check keeps a stale entry harmless even if the 32-bit stamp
  // wraps around to its value: it can then only match a node that really is
  // in this slot, which changes nothing but tie order.
  const node& n = node_at(e.index);
  return n.stamp == e.stamp && n.slot == slot && n.st == state::pending;
}

std::uint32_t TimerWheel::new_node() {
  if (node_count_ == max_nodes) throw error(errc::at_capacity, "timer wheel is full");
  if (free_.capacity() <= node_count_)
    free_.reserve(std::max<std::size_t>(64, 2 * free_.capacity()));
  const std::uint64_t g = std::uint64_t{node_count_} + (1u << first_page_bits);
  const auto w = static_cast<unsigned>(std::bit_width(g));
  auto& page = pages_[w - first_page_bits - 1];
  if (!page) page = make_page(std::size_t{1} << (w - 1));
  node& n = node_at(node_count_);
  n.generation = 0;
  n.st = state::free;
  return node_count_++;
}

// Pages of 2 MiB and more are aligned to 2 MiB and offered to the kernel
// as transparent huge pages: a wheel of a million timers (48 MB of nodes)
// otherwise pays a TLB miss on top of the cache miss of every random cancel.
std::unique_ptr<TimerWheel::node[], TimerWheel::page_free> TimerWheel::make_page(
    std::size_t nodes) {
  constexpr std::size_t huge = std::size_t{2} << 20;
  const std::size_t bytes = nodes * sizeof(node);
  const std::size_t align = bytes >= huge ? huge : alignof(std::max_align_t);
  const std::size_t size = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, size);
  if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (align == huge) (void)::madvise(p, size, MADV_HUGEPAGE);
#endif
  return std::unique_ptr<node[], page_free>(static_cast<node*>(p));
}

void TimerWheel::page_free::operator()(node* p) const noexcept { std::free(p); }

void TimerWheel::reserve(std::size_t timers) {
  const std::uint64_t want = std::min<std::uint64_t>(timers, max_nodes);
  for (unsigned p = 0; p < max_pages; ++p) {
    const std::uint64_t first_index =
        (std::uint64_t{1} << (p + first_page_bits)) - (std::uint64_t{1} << first_page_bits);
    if (first_index >= want) break;
    if (!pages_[p]) pages_[p] = make_page(std::size_t{1} << (p + first_page_bits));
  }
  free_.reserve(static_cast<std::size_t>(want));
}

TICKWHEEL_HOT void TimerWheel::finalize_node(std::uint32_t index, node& n) noexcept {
  detail::destroy_callback(n.ops, n.storage);
  n.stamp = 0;
  return_node(index, n);
}

// A node whose callback is running is only marked: its callable must live
// until it returns, and its storage must not be handed out meanwhile.
TICKWHEEL_HOT void TimerWheel::release_node(std::uint32_t index, node& n) noexcept {
  if (index == running_) {
    n.st = state::released;
    return;
  }
  finalize_node(index, n);
}

// ---- slots -------------------------------------------------------------------

// The level is the highest block of bits in which deadline and now differ,
// so every entry of level k lies in the current level-(k+1) block, after the
// current level-k slot.
TICKWHEEL_HOT std::uint16_t TimerWheel::slot_for(tick_t deadline) const noexcept {
  if (deadline <= elapsed_) return due_slot_;
  const unsigned high = 63u - static_cast<unsigned>(std::countl_zero(deadline ^ elapsed_));
  const unsigned level = level_of_bit_[high];
  if (level >= levels_) return overflow_slot_;
  const auto pos = static_cast<unsigned>((deadline >> (level * bits_)) & slot_mask_);
  return static_cast<std::uint16_t>((level << bits_) | pos);
}

TimerWheel::tick_t TimerWheel::slot_start(std::uint16_t slot) const noexcept {
  const unsigned level = slot >> bits_;
  const unsigned shift = level * bits_;
  const unsigned block = shift + bits_;
  const tick_t base = block >= 64 ? 0 : (elapsed_ >> block) << block;
  return base | (static_cast<tick_t>(slot & slot_mask_) << shift);
}

TICKWHEEL_HOT void TimerWheel::set_bit(std::uint16_t slot) noexcept {
  const unsigned level = slot >> bits_;
  const unsigned pos = slot & slot_mask_;
  occupied_[level * words_per_level_ + pos / 64] |= std::uint64_t{1} << (pos % 64);
}

TICKWHEEL_HOT void TimerWheel::clear_bit(std::uint16_t slot) noexcept {
  const unsigned level = slot >> bits_;
  const unsigned pos = slot & slot_mask_;
  occupied_[level * words_per_level_ + pos / 64] &= ~(std::uint64_t{1} << (pos % 64));
}

TICKWHEEL_COLD void TimerWheel::grow(slot_list& s, std::size_t at_least) {
  std::size_t cap = std::max<std::size_t>(16, std::size_t{s.capacity} * 2);
  while (cap < at_least) cap *= 2;
  if (cap > ~std::uint32_t{0}) throw std::bad_alloc();
  void* p = std::realloc(s.data, cap * sizeof(entry));
  if (p == nullptr) throw std::bad_alloc();
  s.data = static_cast<entry*>(p);
  s.capacity = static_cast<std::uint32_t>(cap);
}

TICKWHEEL_HOT void TimerWheel::file(std::uint32_t index, node& n) noexcept {
  append(slot_for(n.deadline), index, n);
}

// For a node whose order is the newest issued (schedule, reschedule): it
// cannot arrive out of order.
TICKWHEEL_HOT void TimerWheel::append_newest(std::uint16_t slot, std::uint32_t index,
                                             node& n) noexcept {
  slot_list& s = slots_[slot];
  s.last_order = n.order;
  if (s.live == 0 || n.deadline < s.min_deadline) s.min_deadline = n.deadline;
  push(s, slot, index, n);
}

// For a node re-filed with an older order (cascade, push_later): orders are
// compared relative to the next one to be issued, which makes the wrapping
// 32-bit counter a total order over the live timers.
TICKWHEEL_HOT void TimerWheel::append(std::uint16_t slot, std::uint32_t index, node& n) noexcept {
  slot_list& s = slots_[slot];
  if (s.live == 0) {
    s.last_order = n.order;
    s.min_deadline = n.deadline;
  } else {
    if (n.order - next_order_ < s.last_order - next_order_) {
      s.unsorted = true;
    } else {
      s.last_order = n.order;
    }
    if (n.deadline < s.min_deadline) s.min_deadline = n.deadline;
  }
  push(s, slot, index, n);
}

TICKWHEEL_HOT void TimerWheel::push(slot_list& s, std::uint16_t slot, std::uint32_t index,
                                    node& n) noexcept {
  n.stamp = next_stamp_;
  next_stamp_ += 2;  // odd stamps only: 0 is never issued, with no wrap check
  n.slot = slot;
  if (s.size >= 2 * s.live + compaction_slack && !(firing_slot_ && *firing_slot_ == slot))
      [[unlikely]] {
    compact(s, slot);
  }
  if (s.size == s.capacity) [[unlikely]] {
    try {
      grow(s, std::size_t{s.size} + 1);
    } catch (...) {
      std::terminate();  // documented: re-filing cannot fail half-way
    }
  }
  s.data[s.size++] = {index, n.stamp};
  if (slot < due_slot_) {
    if (s.live++ == 0) set_bit(slot);
    // The slot's start is the deadline with the bits below its level cleared.
    next_work_ = std::min(next_work_, n.deadline & level_start_mask_[slot >> bits_]);
  } else {
    ++s.live;
    if (slot == overflow_slot_) {
      overflow_min_ = std::min(overflow_min_, n.deadline);
      next_work_ = std::min(next_work_, (overflow_min_ >> span_bits_) << span_bits_);
    }
  }
}

// The node's entry becomes stale (stamp 0 is never issued); the slot forgets
// it in its live count at once and drops it when emptied or compacted.
TICKWHEEL_HOT void TimerWheel::unlink(node& n) noexcept {
  n.stamp = 0;
  slot_list& s = slots_[n.slot];
  if (--s.live == 0 && !(firing_slot_ && *firing_slot_ == n.slot)) {
    clear_slot(n.slot);
  } else if (n.deadline == s.min_deadline) {
    s.min_deadline = 0;  // the lower bound is gone: fall back to the slot start
  }
}

TICKWHEEL_HOT void TimerWheel::clear_slot(std::uint16_t slot) noexcept {
  slot_list& s = slots_[slot];
  s.size = 0;
  s.live = 0;
  s.unsorted = false;
  s.min_deadline = 0;
  if (slot < due_slot_) {
    clear_bit(slot);
  } else if (slot == overflow_slot_) {
    overflow_min_ = no_tick;
  }
}

TICKWHEEL_COLD void TimerWheel::compact(slot_list& s, std::uint16_t slot) noexcept {
  entry* const end =
      std::remove_if(s.data, s.data + s.size, [&](const entry& e) { return !is_current(e, slot); });
  s.size = static_cast<std::uint32_t>(end - s.data);
}

// ---- operations ----------------------------------------------------------------

TimerId TimerWheel::commit_node(std::uint32_t index, node& n, tick_t deadline) {
  const std::uint16_t slot = slot_for(deadline);
  slot_list& s = slots_[slot];
  if (s.size == s.capacity) [[unlikely]] {
    try {
      grow(s, std::size_t{s.size} + 1);
    } catch (...) {
      detail::destroy_callback(n.ops, n.storage);
      return_node(index, n);
      throw;
    }
  }
  if (++n.generation == 0) n.generation = 1;
  n.st = state::pending;
  n.deadline = deadline;
  n.order = next_order_++;
  ++live_;
  append_newest(slot, index, n);
  return {index, n.generation};
}

bool TimerWheel::cancel(TimerId id) noexcept {
  node* n = lookup(id);
  if (n == nullptr || n->st != state::pending) return false;
  unlink(*n);
  --live_;
  release_node(id.index(), *n);
  return true;
}

bool TimerWheel::reschedule(TimerId id, time_point deadline) noexcept {
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
  append_newest(slot_for(n->deadline), id.index(), *n);
  return true;
}

bool TimerWheel::pending(TimerId id) const noexcept {
  const node* n = lookup(id);
  return n != nullptr && n->st == state::pending;
}

std::optional<time_point> TimerWheel::deadline(TimerId id) const noexcept {
  const node* n = lookup(id);
  if (n == nullptr || n->st != state::pending) return std::nullopt;
  return tick_time(n->deadline);
}

void TimerWheel::clear() noexcept {
  for (std::uint32_t i = 0; i < node_count_; ++i) {
    node& n = node_at(i);
    if (n.st == state::pending) release_node(i, n);
  }
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    if (!(firing_slot_ && *firing_slot_ == s)) clear_slot(static_cast<std::uint16_t>(s));
  }
  if (firing_slot_) slots_[*firing_slot_].live = 0;
  live_ = 0;
  next_work_ = no_tick;
}

WheelStats TimerWheel::stats() const noexcept {
  WheelStats st;
  st.pending = live_;
  st.nodes = node_count_;
  for (const slot_list& s : slots_) st.slot_entries += s.size;
  st.node_bytes = node_bytes();
  return st;
}

// ---- finding and doing work -------------------------------------------------------

// First occupied slot index >= from at a level, or -1.
int TimerWheel::next_occupied(unsigned level, unsigned from) const noexcept {
  const std::uint64_t* words = &occupied_[level * words_per_level_];
  const unsigned slots = 1u << bits_;
  while (from < slots) {
    const unsigned w = from / 64;
    const std::uint64_t bits = words[w] >> (from % 64);
    if (bits != 0) return static_cast<int>(from + static_cast<unsigned>(std::countr_zero(bits)));
    from = (w + 1) * 64;
  }
  return -1;
}

// The tick of the next fire or cascade in the levels or the overflow. Level
// k's entries all lie before level k+1's, so the lowest level with an
// occupied slot ahead holds the earliest work.
std::optional<TimerWheel::work> TimerWheel::next_work() const noexcept {
  for (unsigned level = 0; level < levels_; ++level) {
    const unsigned shift = level * bits_;
    const auto cur = static_cast<unsigned>((elapsed_ >> shift) & slot_mask_);
    // Level 0 may hold the current tick (filled by a cascade at this very
    // tick); higher levels only hold slots after the current one.
    const int s = next_occupied(level, level == 0 ? cur : cur + 1);
    if (s < 0) continue;
    const auto slot = static_cast<std::uint16_t>((level << bits_) | static_cast<unsigned>(s));
    return work{slot_start(slot), slot};
  }
  if (slots_[overflow_slot_].live != 0) {
    const tick_t start = (overflow_min_ >> span_bits_) << span_bits_;
    return work{std::max(elapsed_, start), overflow_slot_};
  }
  return std::nullopt;
}

std::optional<time_point> TimerWheel::next_deadline() const noexcept {
  if (firing_slot_ || slots_[due_slot_].live != 0) return tick_time(elapsed_);
  const auto w = next_work();
  if (!w) {
    next_work_ = no_tick;
    return std::nullopt;
  }
  next_work_ = w->at;
  tick_t at = w->at;
  if (w->slot == overflow_slot_) {
    at = std::max(at, overflow_min_);
  } else if (w->slot > slot_mask_) {
    at = std::max(at, slots_[w->slot].min_deadline);
  }
  return tick_time(at);
}

TICKWHEEL_COLD void TimerWheel::sort_slot(slot_list& s) noexcept {
  const std::uint32_t base = next_order_;
  // Stale entries sort anywhere; they are skipped when met.
  std::stable_sort(s.data, s.data + s.size, [&](entry a, entry b) {
    const node& na = node_at(a.index);
    const node& nb = node_at(b.index);
    if (na.deadline != nb.deadline) return na.deadline < nb.deadline;
    return na.order - base < nb.order - base;
  });
  s.unsorted = false;
}

void TimerWheel::start_firing(std::uint16_t slot) noexcept {
  if (slots_[slot].unsorted) sort_slot(slots_[slot]);
  firing_slot_ = slot;
  firing_pos_ = 0;
}

// Re-files every current entry of a slot relative to the new current tick.
void TimerWheel::cascade(std::uint16_t slot) noexcept {
  slot_list& s = slots_[slot];
  std::swap(scratch_.data, s.data);
  std::swap(scratch_.size, s.size);
  std::swap(scratch_.capacity, s.capacity);
  clear_slot(slot);
  const auto here = static_cast<std::uint16_t>(elapsed_ & slot_mask_);
  const entry* const entries = scratch_.data;
  const std::size_t count = scratch_.size;
  for (std::size_t i = 0; i < count; ++i) {
    if (i + prefetch_distance < count) {
      __builtin_prefetch(&node_at(entries[i + prefetch_distance].index));
    }
    const entry e = entries[i];
    if (!is_current(e, slot)) continue;
    node& n = node_at(e.index);
    // Due at the tick being entered: fire in this pass, from level 0.
    append(n.deadline <= elapsed_ ? here : slot_for(n.deadline), e.index, n);
  }
  scratch_.size = 0;
}

void TimerWheel::fire(std::uint32_t index, node& n) {
  n.stamp = 0;
  n.st = state::firing;
  --live_;
  --slots_[n.slot].live;
  running_ = index;
  struct finish {
    TimerWheel* wheel;
    std::uint32_t index;
    ~finish() {
      wheel->running_ = no_node;
      node& m = wheel->node_at(index);
      if (m.st == state::firing || m.st == state::released) wheel->finalize_node(index, m);
    }
  } guard{this, index};
  n.ops->invoke(n.storage, TimerId{index, n.generation});
}

AdvanceResult TimerWheel::advance_slow(tick_t target, std::size_t budget) {
  if (in_advance_) {
    throw error(errc::invalid_argument, "TimerWheel::advance() called from one of its callbacks");
  }
  in_advance_ = true;
  struct leave {
    bool& flag;
    ~leave() { flag = false; }
  } guard{in_advance_};

  AdvanceResult result;
  // The due list is taken at most once per tick: what callbacks file as due
  // runs before time moves on, yet a callback that keeps re-arming itself
  // for "now" runs once per tick reached, never in a loop.
  std::optional<tick_t> due_taken_at;
  for (;;) {
    if (firing_slot_) {
      const std::uint16_t slot = *firing_slot_;
      slot_list& list = slots_[slot];
      // A callback may append to other slots but never to the one being
      // fired (its tick is now, which files as due), so `list` stays put.
      while (firing_pos_ < list.size) {
        if (result.fired == budget) {
          result.more = true;
          return result;
        }
        if (firing_pos_ + prefetch_distance < list.size) {
          __builtin_prefetch(&node_at(list.data[firing_pos_ + prefetch_distance].index));
        }
        const entry e = list.data[firing_pos_++];
        if (!is_current(e, slot)) continue;
        node& n = node_at(e.index);
        if (n.deadline > elapsed_) {  // pushed later: re-file, don't fire
          --list.live;
          file(e.index, n);
          continue;
        }
        ++result.fired;
        fire(e.index, n);
      }
      firing_slot_.reset();
      clear_slot(slot);
      continue;
    }
    slot_list& due = slots_[due_slot_];
    if (due.live != 0 && (!due_taken_at || *due_taken_at < elapsed_)) {
      due_taken_at = elapsed_;
      slot_list& batch = slots_[batch_slot_];
      std::swap(batch.data, due.data);
      std::swap(batch.size, due.size);
      std::swap(batch.capacity, due.capacity);
      batch.live = due.live;
      clear_slot(due_slot_);
      for (std::uint32_t i = 0; i < batch.size; ++i) {
        if (is_current(batch.data[i], due_slot_)) node_at(batch.data[i].index).slot = batch_slot_;
      }
      // Past deadlines arrive in any order: always sort the batch.
      batch.unsorted = true;
      start_firing(batch_slot_);
      continue;
    }
    if (target < next_work_) break;
    const auto w = next_work();
    if (!w) {
      next_work_ = no_tick;
      break;
    }
    if (w->at > target) {
      next_work_ = w->at;
      break;
    }
    elapsed_ = w->at;
    if (w->slot <= slot_mask_) {
      start_firing(w->slot);
    } else {
      cascade(w->slot);  // a higher level or the overflow
    }
  }
  elapsed_ = std::max(elapsed_, target);
  return result;
}

}  // namespace tickwheel
