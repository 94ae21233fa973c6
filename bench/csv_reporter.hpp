// File: the CSV contract of bench/run: one row per measurement,
// `workload,n,impl,ns_per_op`, for every benchmark named
// "<workload>/<impl>/<n>" that sets the counter "ops" (operations per
// iteration). With --benchmark_repetitions=K the median is reported. A
// summary of ratios against the "indexed-heap" baseline goes to stderr.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <benchmark/benchmark.h>

namespace tickwheel::bench {

class CsvReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override {
    const char* quiet = std::getenv("TICKWHEEL_CSV_NO_HEADER");
    if (quiet == nullptr || *quiet == '\0' || *quiet == '0') {
      std::printf("workload,n,impl,ns_per_op\n");
    }
    return true;
  }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) {
        std::fprintf(stderr, "%s: %s\n", run.benchmark_name().c_str(), run.error_message.c_str());
        continue;
      }
      const bool repeated = run.repetitions > 1;
      if (repeated && !(run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")) {
        continue;
      }
      const auto ops = run.counters.find("ops");
      if (ops == run.counters.end() || ops->second.value <= 0) continue;
      const std::string& name = run.run_name.function_name;
      const auto a = name.find('/');
      const auto b = name.rfind('/');
      if (a == std::string::npos || a == b) continue;
      const std::string workload = name.substr(0, a);
      const std::string impl = name.substr(a + 1, b - a - 1);
      const std::string n = name.substr(b + 1);
      const double ns = run.GetAdjustedRealTime() * to_ns(run.time_unit) / ops->second.value;
      std::printf("%s,%s,%s,%.3f\n", workload.c_str(), n.c_str(), impl.c_str(), ns);
      std::fflush(stdout);
      results_[{workload, n}][impl] = ns;
    }
  }

  void Finalize() override {
    for (const auto& [key, impls] : results_) {
      const auto base = impls.find("indexed-heap");
      if (base == impls.end()) continue;
      for (const auto& [impl, ns] : impls) {
        if (impl == base->first || ns <= 0) continue;
        std::fprintf(stderr, "%-4s n=%-8s %-20s %8.2f ns/op  indexed-heap/this = %.2fx\n",
                     std::get<0>(key).c_str(), std::get<1>(key).c_str(), impl.c_str(), ns,
                     base->second / ns);
      }
    }
  }

 private:
  static double to_ns(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1.0;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      case benchmark::kSecond:
        return 1e9;
    }
    return 1.0;
  }

  std::map<std::tuple<std::string, std::string>, std::map<std::string, double>> results_;
};

/// Runs the registered benchmarks with the CSV reporter on stdout.
inline int run_with_csv(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  CsvReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace tickwheel::bench
