// File: EpollPark (Linux), a Park that sleeps in epoll_wait and can also
// watch file descriptors, so timers and I/O share one loop: the driver's
// thread runs the readiness callbacks inside park().
//
// The next deadline is an absolute CLOCK_MONOTONIC timerfd, re-armed only
// when the deadline changes; with nothing due the park sleeps with no
// timeout at all. unpark() writes an eventfd.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "tickwheel/park.hpp"

namespace tickwheel {

/// Names one watched file descriptor of an EpollPark.
struct WatchId {
  std::uint64_t value = 0;
  friend bool operator==(WatchId, WatchId) noexcept = default;
};

/// A Park on epoll + timerfd + eventfd, with file-descriptor watches.
///
/// Deadlines are read on the steady clock (CLOCK_MONOTONIC): use it with a
/// Driver on SteadyClock, not on a ManualClock.
///
/// Thread safety: park(), watch(), modify() and unwatch() belong to the
/// driver's thread (callbacks run there and may watch or unwatch, themselves
/// included); unpark() and wakeups() may be called from any thread.
///
/// Errors: the constructor throws std::system_error if the kernel refuses
/// the epoll, timerfd or eventfd descriptors; watch() and modify() report
/// epoll_ctl's errno (EBADF, EEXIST, EPERM for regular files, ...).
class EpollPark final : public Park {
 public:
  struct Options {
    /// Sets the driver thread's timer slack to 1 ns at its first park, so
    /// the kernel does not batch its wake-ups late (Linux default: 50 us).
    bool low_timer_slack = true;
  };

  /// What a readiness callback receives: the epoll event bits (EPOLLIN,
  /// EPOLLOUT, EPOLLHUP, EPOLLERR, ...).
  using Callback = std::function<void(std::uint32_t events)>;

  EpollPark();
  explicit EpollPark(Options options);
  ~EpollPark() override;
  EpollPark(const EpollPark&) = delete;
  EpollPark& operator=(const EpollPark&) = delete;

  /// Calls `on_ready` from park() whenever `fd` is ready for `events`
  /// (level-triggered unless EPOLLET is given). The fd stays owned by the
  /// caller and must stay open until unwatch(). Throws std::system_error.
  WatchId watch(int fd, std::uint32_t events, Callback on_ready);
  /// The non-throwing form: an empty WatchId and `ec` set on failure.
  WatchId watch(int fd, std::uint32_t events, Callback on_ready, std::error_code& ec);
  /// Changes the events watched; errc::not_found for an unknown id.
  std::error_code modify(WatchId id, std::uint32_t events);
  /// Stops watching; false for an unknown id. Its callback will not run
  /// again, even if the fd's event is already in the batch being handled.
  bool unwatch(WatchId id) noexcept;
  [[nodiscard]] std::size_t watch_count() const noexcept { return watches_.size(); }

  void park(std::optional<time_point> deadline) override;
  void unpark() noexcept override;
  [[nodiscard]] std::uint64_t wakeups() const noexcept override;

 private:
  struct Watch {
    int fd;
    Callback on_ready;
  };
  void arm_timer(std::optional<time_point> deadline);
  void close_all() noexcept;

  Options options_;
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  int event_fd_ = -1;
  bool slack_set_ = false;
  std::optional<time_point> armed_;  // what the timerfd is set to
  std::uint64_t next_watch_ = 1;
  std::unordered_map<std::uint64_t, std::shared_ptr<Watch>> watches_;
  std::atomic<std::uint64_t> wakeups_{0};
};

}  // namespace tickwheel
