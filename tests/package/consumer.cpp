#include <tickwheel/tickwheel.hpp>

int main() {
  tickwheel::TimerWheel wheel;
  int fired = 0;
  (void)wheel.schedule_after(std::chrono::milliseconds(5), [&] { ++fired; });
  wheel.advance(wheel.now() + std::chrono::milliseconds(5));
  return fired == 1 ? 0 : 1;
}
