#include "tickwheel/manual_clock.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace {

constexpr int writer_count = 4;
constexpr int reader_count = 2;
constexpr int steps_per_writer = 100'000;

}  // namespace

// Writers advance() by known steps and interleave set() calls that must not move time (to the
// time they just read, or earlier), so the final time is exactly the start plus every advance.
// A set() that stored instead of compare-exchanging would lose a concurrent advance (the sum
// comes out short) and let a reader see time go back.
TEST(ManualClockConcurrency, AdvanceAndSetFromManyThreadsNeverGoBackAndLoseNothing) {
  const tickwheel::time_point start{1h};
  tickwheel::ManualClock clock(start);

  std::latch go(writer_count + reader_count);
  std::atomic<int> writers_left{writer_count};
  std::atomic<std::int64_t> backward_reads{0};
  std::atomic<std::int64_t> accepted_earlier_sets{0};

  std::vector<std::thread> threads;
  for (int w = 0; w < writer_count; ++w) {
    threads.emplace_back([&, w] {
      go.arrive_and_wait();
      for (int i = 0; i < steps_per_writer; ++i) {
        // Mix duration types so the conversion path runs concurrently too.
        if (w % 2 == 0) {
          clock.advance(std::chrono::nanoseconds(w + 1));
        } else {
          clock.advance(std::chrono::microseconds(w));
        }
        const auto seen = clock.now();
        (void)clock.set(seen);  // true or false depending on the race; never a change
        if (clock.set(seen - 1ns)) accepted_earlier_sets.fetch_add(1, std::memory_order_relaxed);
      }
      writers_left.fetch_sub(1, std::memory_order_release);
    });
  }
  for (int r = 0; r < reader_count; ++r) {
    threads.emplace_back([&] {
      go.arrive_and_wait();
      auto last = clock.now();
      do {
        const auto now = clock.now();
        if (now < last) backward_reads.fetch_add(1, std::memory_order_relaxed);
        last = now;
      } while (writers_left.load(std::memory_order_acquire) > 0);
    });
  }
  for (auto& t : threads) t.join();

  tickwheel::duration advanced{0};
  for (int w = 0; w < writer_count; ++w) {
    const tickwheel::duration step = w % 2 == 0
                                         ? tickwheel::duration{std::chrono::nanoseconds(w + 1)}
                                         : tickwheel::duration{std::chrono::microseconds(w)};
    advanced += step * steps_per_writer;
  }
  EXPECT_EQ((clock.now() - start).count(), advanced.count()) << "nanoseconds advanced";
  EXPECT_EQ(backward_reads.load(), 0);
  EXPECT_EQ(accepted_earlier_sets.load(), 0);
}
