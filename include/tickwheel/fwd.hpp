// File: forward declarations and the timer id shared by every layer.
#pragma once

#include <cstdint>

namespace tickwheel {

/// Names one scheduled timer of a TimerWheel: an index and a generation,
/// eight bytes, copied by value. The generation makes an id of a timer that
/// fired or was cancelled harmless after its storage is reused: operations on
/// it return false. (A generation repeats only after 2^32 reuses of one slot.)
class TimerId {
 public:
  constexpr TimerId() noexcept = default;
  constexpr TimerId(std::uint32_t index, std::uint32_t generation) noexcept
      : index_(index), generation_(generation) {}

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr std::uint32_t generation() const noexcept { return generation_; }
  /// A default-constructed id names no timer.
  [[nodiscard]] constexpr bool valid() const noexcept { return generation_ != 0; }

  friend constexpr bool operator==(TimerId, TimerId) noexcept = default;

 private:
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;  // 0 is never issued
};

class TimerWheel;
class ManualClock;
class SteadyClock;
class ClockRef;

}  // namespace tickwheel
