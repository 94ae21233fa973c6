// File: the two baselines every wheel workload is measured against, written
// the way a careful engineer would write a heap-based timer queue:
//  - LazyHeapTimers: std::priority_queue; cancel and reschedule only mark the
//    old entry dead (a generation), which is skipped when it reaches the top;
//  - IndexedHeapTimers: a binary heap whose nodes know their position, so
//    cancel and reschedule remove or move the entry in O(log n).
// Both store a callback per timer (function pointer + context, the size of a
// small lambda) and break deadline ties by scheduling order, like the wheel.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

namespace tickwheel::bench {

using tick_t = std::uint64_t;
using callback_fn = void (*)(void*);

struct HeapId {
  std::uint32_t index;
  std::uint32_t generation;
};

class LazyHeapTimers {
 public:
  void reserve(std::size_t n) {
    nodes_.reserve(n);
    std::vector<item> storage;
    storage.reserve(2 * n);
    heap_ = queue(std::greater<>{}, std::move(storage));
  }

  HeapId schedule(tick_t deadline, callback_fn fn, void* ctx) {
    const std::uint32_t i = acquire();
    node& n = nodes_[i];
    n.fn = fn;
    n.ctx = ctx;
    n.live = true;
    heap_.push({deadline, seq_++, i, n.generation});
    return {i, n.generation};
  }

  bool cancel(HeapId id) {
    if (id.index >= nodes_.size()) return false;
    node& n = nodes_[id.index];
    if (!n.live || n.generation != id.generation) return false;
    release(id.index);
    return true;
  }

  // The old heap entry stays behind, dead; a fresh one is pushed.
  bool reschedule(HeapId& id, tick_t deadline) {
    if (id.index >= nodes_.size()) return false;
    node& n = nodes_[id.index];
    if (!n.live || n.generation != id.generation) return false;
    ++n.generation;
    id.generation = n.generation;
    heap_.push({deadline, seq_++, id.index, n.generation});
    return true;
  }

  void advance(tick_t now) {
    now_ = now > now_ ? now : now_;
    while (!heap_.empty() && heap_.top().deadline <= now_) {
      const item top = heap_.top();
      heap_.pop();
      node& n = nodes_[top.index];
      if (!n.live || n.generation != top.generation) continue;
      const callback_fn fn = n.fn;
      void* ctx = n.ctx;
      release(top.index);
      fn(ctx);
    }
  }

  void clear() {
    heap_ = queue(std::greater<>{}, std::vector<item>{});
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].live) release(i);
    }
  }

  [[nodiscard]] tick_t now() const { return now_; }

 private:
  struct item {
    tick_t deadline;
    std::uint64_t seq;
    std::uint32_t index;
    std::uint32_t generation;
    friend bool operator>(const item& a, const item& b) {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
    }
  };
  struct node {
    callback_fn fn;
    void* ctx;
    std::uint32_t generation;
    std::uint32_t next_free;
    bool live;
  };
  using queue = std::priority_queue<item, std::vector<item>, std::greater<>>;

  std::uint32_t acquire() {
    if (free_ != none) {
      const std::uint32_t i = free_;
      free_ = nodes_[i].next_free;
      return i;
    }
    nodes_.push_back({nullptr, nullptr, 0, none, false});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  void release(std::uint32_t i) {
    node& n = nodes_[i];
    n.live = false;
    ++n.generation;
    n.next_free = free_;
    free_ = i;
  }

  static constexpr std::uint32_t none = ~0u;
  queue heap_;
  std::vector<node> nodes_;
  std::uint32_t free_ = none;
  std::uint64_t seq_ = 0;
  tick_t now_ = 0;
};

class IndexedHeapTimers {
 public:
  void reserve(std::size_t n) {
    nodes_.reserve(n);
    heap_.reserve(n);
  }

  HeapId schedule(tick_t deadline, callback_fn fn, void* ctx) {
    const std::uint32_t i = acquire();
    node& n = nodes_[i];
    n.fn = fn;
    n.ctx = ctx;
    heap_.push_back({deadline, pack(seq_++, i)});
    n.pos = static_cast<std::uint32_t>(heap_.size() - 1);
    sift_up(n.pos);
    return {i, n.generation};
  }

  bool cancel(HeapId id) {
    node* n = lookup(id);
    if (n == nullptr) return false;
    remove_at(n->pos);
    release(id.index);
    return true;
  }

  bool reschedule(HeapId id, tick_t deadline) {
    node* n = lookup(id);
    if (n == nullptr) return false;
    const std::uint32_t p = n->pos;
    const item old = heap_[p];
    heap_[p].deadline = deadline;
    heap_[p].seq_index = pack(seq_++, id.index);
    if (less(heap_[p], old)) {
      sift_up(p);
    } else {
      sift_down(p);
    }
    return true;
  }

  void advance(tick_t now) {
    now_ = now > now_ ? now : now_;
    while (!heap_.empty() && heap_.front().deadline <= now_) {
      const std::uint32_t i = index_of(heap_.front());
      remove_at(0);
      const callback_fn fn = nodes_[i].fn;
      void* ctx = nodes_[i].ctx;
      release(i);
      fn(ctx);
    }
  }

  void clear() {
    for (const item& it : heap_) release(index_of(it));
    heap_.clear();
  }

  [[nodiscard]] tick_t now() const { return now_; }

 private:
  // 16 bytes: the sequence number (tie-break) above a 24-bit node index.
  struct item {
    tick_t deadline;
    std::uint64_t seq_index;
  };
  static std::uint64_t pack(std::uint64_t seq, std::uint32_t index) { return (seq << 24) | index; }
  static std::uint32_t index_of(const item& it) {
    return static_cast<std::uint32_t>(it.seq_index & 0xFFFFFF);
  }
  struct node {
    callback_fn fn;
    void* ctx;
    std::uint32_t pos;
    std::uint32_t generation;  // odd: live
  };

  static bool less(const item& a, const item& b) {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.seq_index < b.seq_index;
  }

  node* lookup(HeapId id) {
    if (id.index >= nodes_.size()) return nullptr;
    node& n = nodes_[id.index];
    return (n.generation == id.generation && (n.generation & 1) != 0) ? &n : nullptr;
  }

  std::uint32_t acquire() {
    if (!free_.empty()) {
      const std::uint32_t i = free_.back();
      free_.pop_back();
      ++nodes_[i].generation;
      return i;
    }
    nodes_.push_back({nullptr, nullptr, 0, 1});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  void release(std::uint32_t i) {
    ++nodes_[i].generation;
    free_.push_back(i);
  }

  void place(std::uint32_t pos, const item& it) {
    heap_[pos] = it;
    nodes_[index_of(it)].pos = pos;
  }

  void sift_up(std::uint32_t pos) {
    const item it = heap_[pos];
    while (pos > 0) {
      const std::uint32_t parent = (pos - 1) / 2;
      if (!less(it, heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, it);
  }

  void sift_down(std::uint32_t pos) {
    const item it = heap_[pos];
    const auto size = static_cast<std::uint32_t>(heap_.size());
    for (;;) {
      std::uint32_t child = 2 * pos + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap_[child + 1], heap_[child])) ++child;
      if (!less(heap_[child], it)) break;
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, it);
  }

  void remove_at(std::uint32_t pos) {
    const item last = heap_.back();
    heap_.pop_back();
    if (pos == heap_.size()) return;
    const item removed = heap_[pos];
    place(pos, last);
    if (less(last, removed)) {
      sift_up(pos);
    } else {
      sift_down(pos);
    }
  }

  std::vector<item> heap_;
  std::vector<node> nodes_;
  std::vector<std::uint32_t> free_;
  std::uint64_t seq_ = 0;
  tick_t now_ = 0;
};

}  // namespace tickwheel::bench
