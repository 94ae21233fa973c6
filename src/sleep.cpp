#include "tickwheel/sleep.hpp"

#include <string>

namespace tickwheel {

void sleep_until(time_point deadline) {
  Delay d = delay_until(deadline);
  if (const std::error_code ec = d.wait()) {
    throw error(static_cast<errc>(ec.value()),
                std::string("tickwheel::sleep_until: ") + ec.message());
  }
}

}  // namespace tickwheel
