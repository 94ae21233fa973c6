#include "tickwheel/clock.hpp"

#include <time.h>

namespace tickwheel {

duration SteadyClock::resolution() noexcept {
  timespec res{};
  if (::clock_getres(CLOCK_MONOTONIC, &res) != 0) return duration{1};
  const auto ns = static_cast<std::int64_t>(res.tv_sec) * 1'000'000'000 + res.tv_nsec;
  return duration{ns > 0 ? ns : 1};
}

}  // namespace tickwheel
