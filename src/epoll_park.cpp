#include "tickwheel/epoll_park.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "tickwheel/error.hpp"

namespace tickwheel {
namespace {

// epoll_data values of the park's own descriptors; watches count up from 1.
constexpr std::uint64_t timer_tag = ~std::uint64_t{0};
constexpr std::uint64_t event_tag = ~std::uint64_t{0} - 1;

std::system_error os_error(const char* what) {
  return {errno, std::system_category(), std::string("tickwheel::EpollPark: ") + what};
}

int add(int epoll_fd, int fd, std::uint32_t events, std::uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  return ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

}  // namespace

EpollPark::EpollPark() : EpollPark(Options{}) {}

EpollPark::EpollPark(Options options) : options_(options) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw os_error("epoll_create1");
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (timer_fd_ < 0 || event_fd_ < 0 || add(epoll_fd_, timer_fd_, EPOLLIN, timer_tag) != 0 ||
      add(epoll_fd_, event_fd_, EPOLLIN, event_tag) != 0) {
    const auto failure = os_error("timerfd/eventfd setup");
    close_all();
    throw failure;
  }
}

EpollPark::~EpollPark() { close_all(); }

void EpollPark::close_all() noexcept {
  for (int* fd : {&epoll_fd_, &timer_fd_, &event_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

WatchId EpollPark::watch(int fd, std::uint32_t events, Callback on_ready) {
  std::error_code ec;
  const WatchId id = watch(fd, events, std::move(on_ready), ec);
  if (ec) throw std::system_error(ec, "tickwheel::EpollPark::watch");
  return id;
}

WatchId EpollPark::watch(int fd, std::uint32_t events, Callback on_ready, std::error_code& ec) {
  const std::uint64_t id = next_watch_++;
  if (add(epoll_fd_, fd, events, id) != 0) {
    ec = std::error_code(errno, std::system_category());
    return {};
  }
  watches_.emplace(id, std::make_shared<Watch>(Watch{fd, std::move(on_ready)}));
  ec.clear();
  return {id};
}

std::error_code EpollPark::modify(WatchId id, std::uint32_t events) {
  const auto it = watches_.find(id.value);
  if (it == watches_.end()) return make_error_code(errc::not_found);
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id.value;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, it->second->fd, &ev) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

bool EpollPark::unwatch(WatchId id) noexcept {
  const auto it = watches_.find(id.value);
  if (it == watches_.end()) return false;
  // A descriptor closed before unwatch() has already left the epoll set.
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
  watches_.erase(it);
  return true;
}

void EpollPark::arm_timer(std::optional<time_point> deadline) {
  if (deadline == armed_) return;  // one syscall saved per unchanged deadline
  itimerspec spec{};
  if (deadline) {
    const auto ns = std::max<std::int64_t>(deadline->time_since_epoch().count(), 1);
    spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  }
  if (::timerfd_settime(timer_fd_, deadline ? TFD_TIMER_ABSTIME : 0, &spec, nullptr) != 0) {
    throw os_error("timerfd_settime");
  }
  armed_ = deadline;
}

void EpollPark::park(std::optional<time_point> deadline) {
  if (options_.low_timer_slack && !slack_set_) {
    (void)::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    slack_set_ = true;
  }
  int timeout_ms = -1;
  if (deadline && *deadline <= std::chrono::steady_clock::now()) {
    // Due already: only collect ready I/O, if any is watched. (A pending
    // unpark stays in the eventfd and ends the next blocking park at once.)
    if (watches_.empty()) return;
    timeout_ms = 0;
  } else {
    arm_timer(deadline);
  }
  std::array<epoll_event, 64> events{};
  int n = 0;
  do {
    n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw os_error("epoll_wait");
  bool unparked = false;
  bool other = false;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
    if (tag == event_tag) {
      std::uint64_t count = 0;
      (void)!::read(event_fd_, &count, sizeof count);
      unparked = true;
    } else if (tag == timer_tag) {
      std::uint64_t expirations = 0;
      (void)!::read(timer_fd_, &expirations, sizeof expirations);
      armed_.reset();  // a fired timerfd is disarmed
      other = true;
    } else {
      other = true;
      // Looked up per event: an earlier callback may have unwatched it.
      const auto it = watches_.find(tag);
      if (it == watches_.end()) continue;
      const std::shared_ptr<Watch> w = it->second;  // it may unwatch itself
      w->on_ready(events[static_cast<std::size_t>(i)].events);
    }
  }
  if ((other || n == 0) && !unparked && timeout_ms != 0) {
    wakeups_.fetch_add(1, std::memory_order_relaxed);
  }
}

void EpollPark::unpark() noexcept {
  const std::uint64_t one = 1;
  (void)!::write(event_fd_, &one, sizeof one);
}

std::uint64_t EpollPark::wakeups() const noexcept {
  return wakeups_.load(std::memory_order_relaxed);
}

}  // namespace tickwheel
