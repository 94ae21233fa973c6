// IdleTimer workload: what one record_call() costs the thread that makes it
// (workload idle_record_call, impl tickwheel-idle), beside the cost of one
// steady-clock read (impl clock-read), which record_call() includes.
//
// n is the number of threads calling at once, on one shared timer: each
// benchmark iteration has every thread make `calls` calls, and ns_per_op is
// wall time / calls, i.e. the cost per call as each thread sees it (equal to
// the one-thread figure if the threads do not slow each other down). The
// timer is standalone with a one-hour duration, so its own thread sleeps
// throughout: the figure is the caller's side only, as in real use.
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "csv_reporter.hpp"
#include "tickwheel/idle_timer.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::int64_t calls = 200'000;

template <class Body>
void on_threads(int threads, Body body) {
  if (threads == 1) {
    body();
    return;
  }
  std::vector<std::jthread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(body);
}

void record_call(benchmark::State& state, int threads) {
  tickwheel::IdleTimer idle(1h, [] {});
  if (idle.record_call()) {  // starts its thread outside the timed loop
    state.SkipWithError("record_call failed");
    return;
  }
  for (auto _ : state) {
    on_threads(threads, [&idle] {
      for (std::int64_t i = 0; i < calls; ++i) benchmark::DoNotOptimize(idle.record_call());
    });
  }
  state.counters["ops"] = static_cast<double>(calls);
}

void clock_read(benchmark::State& state, int threads) {
  for (auto _ : state) {
    on_threads(threads, [] {
      for (std::int64_t i = 0; i < calls; ++i) {
        benchmark::DoNotOptimize(std::chrono::steady_clock::now());
      }
    });
  }
  state.counters["ops"] = static_cast<double>(calls);
}

void register_all() {
  for (const int threads : {1, 2}) {
    const std::string n = std::to_string(threads);
    benchmark::RegisterBenchmark(("idle_record_call/clock-read/" + n).c_str(),
                                 [threads](benchmark::State& s) { clock_read(s, threads); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("idle_record_call/tickwheel-idle/" + n).c_str(),
                                 [threads](benchmark::State& s) { record_call(s, threads); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return tickwheel::bench::run_with_csv(argc, argv);
}
