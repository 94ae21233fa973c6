// File: Park, how a Driver sleeps between turns, and the two portable parks:
// CondvarPark (a condition variable, real time) and VirtualPark (ManualClock:
// instead of sleeping it moves virtual time to the deadline). EpollPark
// (epoll_park.hpp) also watches file descriptors.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "tickwheel/chrono.hpp"

namespace tickwheel {

class ManualClock;

/// How a Driver sleeps. park() is called by the driver's thread only, at most
/// once per turn; unpark() may be called from any thread at any time, even
/// after the driver is gone (the driver's handles keep the park alive).
class Park {
 public:
  virtual ~Park() = default;

  /// Sleeps until `deadline` (on the steady timeline; nullopt: no deadline),
  /// until unpark() is called, or, for parks that watch I/O, until an event
  /// was handled. A deadline at or before now means: do not block (but do
  /// handle ready I/O). Spurious early returns are allowed.
  virtual void park(std::optional<time_point> deadline) = 0;

  /// Makes the park() in progress, or the next one, return promptly.
  virtual void unpark() noexcept = 0;

  /// Returns from park() this park has made so far, other than
  /// for an unpark(): timeouts, I/O and spurious returns (for the
  /// no-polling checks).
  [[nodiscard]] virtual std::uint64_t wakeups() const noexcept = 0;
};

/// Sleeps on a condition variable against the steady clock.
/// Thread safety: park() from one thread; unpark() from any.
class CondvarPark final : public Park {
 public:
  void park(std::optional<time_point> deadline) override;
  void unpark() noexcept override;
  [[nodiscard]] std::uint64_t wakeups() const noexcept override;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;
  std::uint64_t wakeups_ = 0;
};

/// For a Driver on a ManualClock: park(deadline) sets the clock to the
/// deadline and returns at once, so a driver jumps from deadline to deadline
/// and hours of timers run in microseconds. With no deadline there is
/// nothing to jump to: it blocks until unpark() (another thread's work).
/// Thread safety: park() from one thread; unpark() from any.
class VirtualPark final : public Park {
 public:
  /// `clock` must outlive the park.
  explicit VirtualPark(ManualClock& clock) noexcept : clock_(clock) {}

  void park(std::optional<time_point> deadline) override;
  void unpark() noexcept override;
  [[nodiscard]] std::uint64_t wakeups() const noexcept override;

 private:
  ManualClock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;
  std::uint64_t wakeups_ = 0;
};

}  // namespace tickwheel
