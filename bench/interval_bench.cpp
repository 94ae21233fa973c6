// Interval workload: the cost of delivering one tick when 10^5 intervals run
// at once (workload interval_tick, impl tickwheel-interval, n = 100000).
//
// The driver runs on a ManualClock (VirtualPark): a turn jumps virtual time
// to the next deadline instead of sleeping, so the figure is the library's
// own work per tick (fire, drift, policy, callback, re-arm in the wheel) and
// not time spent waiting. The intervals are 10 ms with start delays spread
// over one period, so each 1 ms wheel tick fires a tenth of them; one
// benchmark iteration advances one period, i.e. delivers one tick of every
// interval. ns_per_op = wall time per tick delivered.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "csv_reporter.hpp"
#include "tickwheel/interval.hpp"
#include "tickwheel/manual_clock.hpp"

namespace {

using namespace std::chrono_literals;

void interval_tick(benchmark::State& state, int n) {
  tickwheel::ManualClock clock;
  tickwheel::Driver driver(clock);
  const tickwheel::duration period = 10ms;
  std::uint64_t ticks = 0;
  std::vector<tickwheel::Interval> intervals;
  intervals.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    tickwheel::IntervalOptions options;
    options.start_delay = period * i / n;
    intervals.emplace_back(driver.handle(), period, tickwheel::TriggerAllMissed{}, options,
                           [&ticks](const tickwheel::IntervalTick&) { ++ticks; });
  }
  driver.run_until(clock.now() + 2 * period);  // past the start delays
  const std::uint64_t before = ticks;
  std::int64_t iterations = 0;
  for (auto _ : state) {
    driver.run_until(clock.now() + period);
    ++iterations;
  }
  if (iterations > 0) {
    state.counters["ops"] = static_cast<double>(ticks - before) / static_cast<double>(iterations);
  }
}

void register_all() {
  constexpr int n = 100'000;
  benchmark::RegisterBenchmark(("interval_tick/tickwheel-interval/" + std::to_string(n)).c_str(),
                               [](benchmark::State& s) { interval_tick(s, n); })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return tickwheel::bench::run_with_csv(argc, argv);
}
