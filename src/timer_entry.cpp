#include "tickwheel/detail/timer_entry.hpp"

#include <cstddef>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

namespace tickwheel::detail {
namespace {

// The entry pool: each thread keeps a free list; beyond two batches it hands
// one batch to a shared stack, and an empty list takes a batch from there
// before falling back to operator new. So the thread that makes timers and
// the driver thread that frees them exchange memory in batches of 64 under
// one short lock, instead of per entry through malloc's arena. Memory is
// kept for reuse (the pool's peak), never returned to the system.
constexpr std::size_t batch_size = 64;

struct FreeNode {
  FreeNode* next;
  std::size_t batch_length;  // kept in a batch's first node only
};

class SharedBatches {
 public:
  FreeNode* take() noexcept {
    const std::lock_guard lock(mutex_);
    if (batches_.empty()) return nullptr;
    FreeNode* batch = batches_.back();
    batches_.pop_back();
    return batch;
  }
  void give(FreeNode* batch) {
    const std::lock_guard lock(mutex_);
    batches_.push_back(batch);
  }

 private:
  std::mutex mutex_;
  std::vector<FreeNode*> batches_;
};

// Never destroyed: threads may give their caches back during process exit.
SharedBatches& shared_batches() {
  static SharedBatches* const instance = new SharedBatches;
  return *instance;
}

struct LocalCache {
  FreeNode* head = nullptr;
  std::size_t count = 0;
  ~LocalCache() {
    while (head != nullptr) give_batch();
  }
  // Moves up to batch_size nodes from the front of the list to the shared stack.
  void give_batch() noexcept {
    FreeNode* batch = head;
    FreeNode* last = head;
    std::size_t n = 1;
    while (n < batch_size && last->next != nullptr) {
      last = last->next;
      ++n;
    }
    head = last->next;
    last->next = nullptr;
    batch->batch_length = n;
    count -= n;
    try {
      shared_batches().give(batch);
    } catch (...) {
      while (batch != nullptr) {  // no room to record it: really free it
        FreeNode* next = batch->next;
        ::operator delete (static_cast<void*>(batch), std::align_val_t{alignof(TimerEntry)});
        batch = next;
      }
    }
  }
};

thread_local LocalCache cache;

}  // namespace

void* TimerEntry::operator new(std::size_t size) {
  if (cache.head == nullptr) {
    cache.head = shared_batches().take();
    if (cache.head != nullptr) cache.count = cache.head->batch_length;
  }
  if (cache.head != nullptr) {
    FreeNode* n = cache.head;
    cache.head = n->next;
    --cache.count;
    return n;
  }
  return ::operator new (size, std::align_val_t{alignof(TimerEntry)});
}

void TimerEntry::operator delete(void* p) noexcept {
  auto* n = static_cast<FreeNode*>(p);
  n->next = cache.head;
  cache.head = n;
  if (++cache.count >= 2 * batch_size) cache.give_batch();
}

void TimerEntry::lock() noexcept {
  while (waiters_lock_.test_and_set(std::memory_order_acquire)) {
    std::this_thread::yield();  // held for a few pointer moves only
  }
}

// Subscribing and completing race like Dekker's two threads: a subscriber
// first publishes itself, then reads the state; a completion first changes
// the state, then reads the list. One of them sees the other, so a
// completion may skip the lock when the list is empty.
bool TimerEntry::subscribe(Waiter* w) noexcept {
  const auto complete = [&] {
    const std::int64_t s = state.load(std::memory_order_seq_cst);
    return s < 0 && s != entry_firing;
  };
  if (complete()) return false;
  lock();
  Waiter* head = waiters_.load(std::memory_order_relaxed);
  w->prev_ = nullptr;
  w->next_ = head;
  if (head != nullptr) head->prev_ = w;
  waiters_.store(w, std::memory_order_seq_cst);
  unlock();
  if (!complete()) return true;
  // Completed meanwhile: take it back, unless the completion already took
  // it (then it is told, and subscribing counts as done).
  return !unsubscribe(w);
}

bool TimerEntry::unsubscribe(Waiter* w) noexcept {
  lock();
  bool found = false;
  for (Waiter* p = waiters_.load(std::memory_order_relaxed); p != nullptr; p = p->next_) {
    if (p == w) {
      found = true;
      break;
    }
  }
  if (found) {
    if (w->prev_ != nullptr) {
      w->prev_->next_ = w->next_;
    } else {
      waiters_.store(w->next_, std::memory_order_relaxed);
    }
    if (w->next_ != nullptr) w->next_->prev_ = w->prev_;
  }
  unlock();
  return found;
}

void TimerEntry::notify_waiters(std::error_code ec) noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);  // after the state change
  if (waiters_.load(std::memory_order_seq_cst) == nullptr) return;
  lock();
  Waiter* list = waiters_.exchange(nullptr, std::memory_order_relaxed);
  unlock();
  while (list != nullptr) {
    Waiter* next = list->next_;  // read first: complete() may free the waiter
    list->complete(ec);
    list = next;
  }
}

}  // namespace tickwheel::detail
