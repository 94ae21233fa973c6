#include "tickwheel/detail/timer_entry.hpp"

#include <thread>

namespace tickwheel::detail {

void TimerEntry::lock() noexcept {
  while (waiters_lock_.test_and_set(std::memory_order_acquire)) {
    std::this_thread::yield();  // held for a few pointer moves only
  }
}

bool TimerEntry::subscribe(Waiter* w) noexcept {
  lock();
  // Checked under the lock: a completion first changes the state, then takes
  // the list under the lock, so a waiter added after that change is refused.
  if (state.load(std::memory_order_acquire) < 0 &&
      state.load(std::memory_order_acquire) != entry_firing) {
    unlock();
    return false;
  }
  w->prev_ = nullptr;
  w->next_ = waiters_;
  if (waiters_ != nullptr) waiters_->prev_ = w;
  waiters_ = w;
  unlock();
  return true;
}

bool TimerEntry::unsubscribe(Waiter* w) noexcept {
  lock();
  bool found = false;
  for (Waiter* p = waiters_; p != nullptr; p = p->next_) {
    if (p == w) {
      found = true;
      break;
    }
  }
  if (found) {
    if (w->prev_ != nullptr) {
      w->prev_->next_ = w->next_;
    } else {
      waiters_ = w->next_;
    }
    if (w->next_ != nullptr) w->next_->prev_ = w->prev_;
  }
  unlock();
  return found;
}

void TimerEntry::notify_waiters(std::error_code ec) noexcept {
  lock();
  Waiter* list = waiters_;
  waiters_ = nullptr;
  unlock();
  while (list != nullptr) {
    Waiter* next = list->next_;  // read first: complete() may free the waiter
    list->complete(ec);
    list = next;
  }
}

}  // namespace tickwheel::detail
