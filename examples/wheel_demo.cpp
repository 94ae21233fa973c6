// Schedules, cancels and fires timers on virtual time and says what happened.
#include <chrono>
#include <cstdio>

#include "tickwheel/tickwheel.hpp"

int main() {
  using namespace std::chrono_literals;
  tickwheel::ManualClock clock;
  tickwheel::TimerWheel wheel(clock.now());
  const auto start = clock.now();
  auto say = [&](const char* what) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start);
    std::printf("t=%6lld ms  %s\n", static_cast<long long>(ms.count()), what);
  };

  (void)wheel.schedule_after(250ms, [&] { say("fired: 250 ms timer"); });
  const auto doomed = wheel.schedule_after(500ms, [&] { say("fired: 500 ms timer (unexpected)"); });
  (void)wheel.schedule_after(90min, [&] { say("fired: 90 min timer"); });
  int ticks = 0;
  (void)wheel.schedule_after(1s, [&](tickwheel::TimerId self) {
    say("fired: periodic 1 s timer");
    if (++ticks < 3) (void)wheel.reschedule(self, wheel.now() + 1s);
  });
  std::printf("scheduled %zu timers\n", wheel.size());
  std::printf("cancel 500 ms timer: %s\n", wheel.cancel(doomed) ? "cancelled" : "not found");
  std::printf("cancel it again:     %s\n", wheel.cancel(doomed) ? "cancelled" : "not found");

  // Jump from deadline to deadline, as a driver would, instead of polling.
  while (auto next = wheel.next_deadline()) {
    clock.set(*next);
    wheel.advance(clock.now());
  }
  say("no timers left");
  return 0;
}
