// Driver workloads: cross-thread schedule + cancel throughput through Handles
// (1 and 2 submitting threads against a driver on its own thread), and the
// cost of one turn with nothing due.
//
// handle_schedule_cancel: each submitting thread makes a Delay 1 s out and
// cancels it (by destroying it), over and over; ns_per_op is wall time per
// operation over all threads (a schedule and a cancel are two operations).
#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "csv_reporter.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/epoll_park.hpp"

namespace {

using namespace std::chrono_literals;

void handle_schedule_cancel(benchmark::State& state, int threads) {
  constexpr int per_thread = 200'000;
  tickwheel::DriverThread driver;
  const tickwheel::Handle h = driver.handle();
  const auto deadline = h.now() + 1h;
  for (auto _ : state) {
    std::latch start(threads + 1);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        start.arrive_and_wait();
        for (int i = 0; i < per_thread; ++i) {
          tickwheel::Delay d(h, deadline);
          benchmark::DoNotOptimize(d.cancel());
        }
      });
    }
    start.arrive_and_wait();
    const auto begin = std::chrono::steady_clock::now();
    for (auto& w : workers) w.join();
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
  }
  state.counters["ops"] = 2.0 * per_thread * threads;
}

template <class MakePark>
void idle_turn(benchmark::State& state, MakePark make_park) {
  tickwheel::Driver driver(tickwheel::ClockRef{}, make_park());
  auto far = tickwheel::Delay::after(driver.handle(), 1h);  // something outstanding
  constexpr int per_iteration = 1000;
  for (auto _ : state) {
    for (int i = 0; i < per_iteration; ++i) driver.turn(tickwheel::duration::zero());
  }
  state.counters["ops"] = per_iteration;
}

void register_all() {
  for (const int threads : {1, 2}) {
    benchmark::RegisterBenchmark(
        ("handle_schedule_cancel/tickwheel-handle/" + std::to_string(threads)).c_str(),
        [threads](benchmark::State& s) { handle_schedule_cancel(s, threads); })
        ->UseManualTime()
        ->Unit(benchmark::kNanosecond)
        ->Iterations(5);
  }
  benchmark::RegisterBenchmark("idle_turn/tickwheel-condvar/1", [](benchmark::State& s) {
    idle_turn(s, [] { return std::make_unique<tickwheel::CondvarPark>(); });
  })->UseRealTime();
  benchmark::RegisterBenchmark("idle_turn/tickwheel-epoll/1", [](benchmark::State& s) {
    idle_turn(s, [] { return std::make_unique<tickwheel::EpollPark>(); });
  })->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  return tickwheel::bench::run_with_csv(argc, argv);
}
