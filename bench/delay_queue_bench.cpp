// DelayQueue workload: insert n values with deadlines spread over an hour,
// then take them all out in deadline order (ops: n inserts + n pops).
// The queue is reused between iterations, so after the first one nothing is
// allocated: this measures the slab and the wheel, not malloc.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "csv_reporter.hpp"
#include "tickwheel/delay_queue.hpp"
#include "tickwheel/manual_clock.hpp"

namespace {

using namespace std::chrono_literals;

void delay_queue_insert_pop(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  tickwheel::ManualClock clock;
  tickwheel::DelayQueue<std::uint64_t> q(clock);
  q.reserve(n);
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> us(0, 3'600'000'000);
  std::vector<tickwheel::duration> offsets(n);
  for (auto& o : offsets) o = std::chrono::microseconds(us(rng));
  tickwheel::time_point base{};
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < n; ++i) q.insert_at(i, base + offsets[i]);
    const auto end = base + 1h;
    while (auto e = q.poll_expired(end)) benchmark::DoNotOptimize(e->value);
    base += 2h;
  }
  state.counters["ops"] = 2.0 * n;
}

void register_all() {
  benchmark::RegisterBenchmark("delay_queue_insert_pop/tickwheel-delayqueue/1000000",
                               delay_queue_insert_pop)
      ->Arg(1'000'000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return tickwheel::bench::run_with_csv(argc, argv);
}
