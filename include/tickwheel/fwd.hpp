// File: forward declarations and the timer id shared by every layer.
#pragma once

#include <cstdint>

namespace tickwheel {

/// Names one scheduled timer of a TimerWheel. Small and copyable; it carries a
/// generation, so an id of a timer that fired or was cancelled stays harmless
/// after its storage is reused: operations on it return false.
class timer_id {
 public:
  constexpr timer_id() noexcept = default;
  constexpr timer_id(std::uint32_t index, std::uint32_t generation) noexcept
      : index_(index), generation_(generation) {}

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr std::uint32_t generation() const noexcept { return generation_; }
  /// A default-constructed id names no timer.
  [[nodiscard]] constexpr bool valid() const noexcept { return generation_ != 0; }

  friend constexpr bool operator==(timer_id, timer_id) noexcept = default;

 private:
  std::uint32_t index_ = 0;
  std::uint32_t generation_ = 0;  // 0 is never issued
};

class TimerWheel;
class ManualClock;
class SteadyClock;

}  // namespace tickwheel
