// A tour of the timer types on one driver, on virtual time: a one-shot
// Delay, an Interval that reports drift under a missed-tick policy, an
// IdleTimer fed by events, a DelayQueue and a PollTimer checked by a loop.
// The README quotes it; CTest runs it and checks what it prints.
#include <chrono>
#include <cstdio>
#include <string>

#include "tickwheel/tickwheel.hpp"

namespace {

using namespace std::chrono_literals;

long long ms(tickwheel::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

int main() {
  tickwheel::ManualClock clock;     // virtual time: turns jump from deadline to deadline
  tickwheel::Driver driver(clock);  // a wheel, this clock, and a park that never sleeps
  const auto t0 = clock.now();
  auto say = [&](const std::string& what) {
    std::printf("t=%5lld ms  %s\n", ms(clock.now() - t0), what.c_str());
  };

  // A one-shot timer; destroying it would cancel it.
  tickwheel::Delay delay =
      tickwheel::Delay::after(driver.handle(), 250ms, [&] { say("delay fired"); });

  // Every 100 ms; a tick handled more than 20 ms late re-anchors the grid.
  tickwheel::Interval every(driver.handle(), 100ms, tickwheel::SkipMissedAndDrift(20ms), {},
                            [&](const tickwheel::IntervalTick& tick) {
                              say("tick " + std::to_string(tick.number) + " drift " +
                                  std::to_string(ms(tick.drift)) + " ms");
                            });

  // Called once 150 ms have passed without an event.
  tickwheel::IdleTimer idle(driver.handle(), 150ms, [&] { say("idle for 150 ms"); });

  // Values that come out in deadline order.
  tickwheel::DelayQueue<std::string> queue(driver.handle());
  (void)queue.insert("second", 300ms);
  (void)queue.insert("first", 120ms);

  for (int i = 0; i < 3; ++i) {  // three events 50 ms apart keep the idle timer quiet
    driver.run_until(t0 + i * 50ms);
    (void)idle.record_call();
  }
  driver.run_until(t0 + 320ms);
  while (auto expired = queue.poll_expired()) say("queue: " + expired->value);

  // The handler of one tick blocks for 170 ms: the next ticks are missed.
  clock.advance(170ms);
  driver.run_until(t0 + 600ms);
  every.stop();

  // A poll timer, checked by a loop, in the time-value syntax ("0:0.5" is 500 ms).
  tickwheel::TimerOptions options;
  options.clock = clock;
  options.fudge = 0ns;
  auto poll = tickwheel::timer("0:0.5", options);
  poll.start();
  clock.advance(200ms);
  say("poll timer: " + std::to_string(ms(*poll.check())) + " ms left");
  clock.advance(300ms);
  say(std::string("poll timer: ") +
      (poll.check() == tickwheel::duration::zero() && poll.is_expired()
           ? "expired"
           : "still running (unexpected)"));
  return delay.is_elapsed() && idle.fire_count() == 1 ? 0 : 1;
}
