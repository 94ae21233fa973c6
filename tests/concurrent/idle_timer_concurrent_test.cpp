// Concurrency tests of IdleTimer on the real clock: record_call() from two
// threads at once, quit() racing with fires, and the lazy start and the stop
// of a standalone timer's thread. Also run under ThreadSanitizer.
#include "tickwheel/idle_timer.hpp"

#include <atomic>
#include <barrier>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using tickwheel::DriverThread;
using tickwheel::IdleTimer;

namespace {

// Waits (at most `limit`) for `pred`; the condition is what the test asserts.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto give_up = Steady::now() + limit;
  while (!pred()) {
    if (Steady::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST(IdleTimerConcurrency, TwoThreadsFeedingItFireItOnlyAfterEachIdleGapNeverEarly) {
  DriverThread driver;
  constexpr auto idle_for = 30ms;
  std::mutex mutex;
  std::vector<Steady::time_point> fires;
  IdleTimer idle(driver.handle(), idle_for, [&] {
    const std::lock_guard lock(mutex);
    fires.push_back(Steady::now());
  });
  // Before each call a thread notes the time; the timer read its clock after
  // that, so the fire is due no earlier than the latest note + idle_for.
  std::atomic<Steady::rep> latest_note{0};
  constexpr int rounds = 5;
  std::barrier sync(2);
  auto feeder = [&] {
    for (int r = 0; r < rounds; ++r) {
      const auto burst_end = Steady::now() + 10ms;
      while (Steady::now() < burst_end) {
        const auto note = Steady::now().time_since_epoch().count();
        Steady::rep seen = latest_note.load();
        while (note > seen && !latest_note.compare_exchange_weak(seen, note)) {
        }
        ASSERT_EQ(idle.record_call(), std::error_code{});
        std::this_thread::sleep_for(50us);
      }
      sync.arrive_and_wait();  // both bursts over: the idle gap starts
      ASSERT_TRUE(
          eventually([&] { return idle.fire_count() >= static_cast<std::uint64_t>(r + 1); }));
      sync.arrive_and_wait();
    }
  };
  std::thread a(feeder);
  std::thread b(feeder);
  a.join();
  b.join();
  idle.quit();
  const std::lock_guard lock(mutex);
  ASSERT_GE(fires.size(), static_cast<std::size_t>(rounds));
  const Steady::time_point last_note{Steady::duration{latest_note.load()}};
  EXPECT_GE(fires.back(), last_note + idle_for);
}

TEST(IdleTimerConcurrency, QuitWaitsForACallbackRunningOnAnotherThread) {
  DriverThread driver;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  IdleTimer idle(driver.handle(), 1ms, [&] {
    started = true;
    std::this_thread::sleep_for(50ms);
    finished = true;
  });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  idle.quit();
  EXPECT_TRUE(finished.load());
}

TEST(IdleTimerConcurrency, NoCallbackStartsAfterQuitReturnsEvenWhenItRacesAFire) {
  DriverThread driver;
  for (int i = 0; i < 200; ++i) {
    // The callback touches an object destroyed right after quit(): a call
    // that slipped past quit() would be a use after free (ASan, TSan).
    auto touched = std::make_unique<std::atomic<int>>(0);
    auto* counter = touched.get();
    IdleTimer idle(driver.handle(), 0ms, [counter] { counter->fetch_add(1); });
    ASSERT_EQ(idle.record_call(), std::error_code{});
    std::this_thread::sleep_for(std::chrono::microseconds(i % 7 * 50));
    idle.quit();
    const int at_quit = touched->load();
    EXPECT_LE(at_quit, 1);
    touched.reset();
    EXPECT_EQ(idle.record_call(), make_error_code(tickwheel::errc::cancelled));
  }
}

TEST(IdleTimerConcurrency, AStandaloneTimerStartsOneThreadWhenTwoThreadsCallFirst) {
  std::atomic<int> fired{0};
  IdleTimer idle(5ms, [&] { fired.fetch_add(1); });
  std::barrier go(2);
  tickwheel::Handle seen[2];
  auto first_call = [&](int i) {
    go.arrive_and_wait();
    EXPECT_EQ(idle.record_call(), std::error_code{});
    seen[i] = idle.handle();
  };
  std::thread a(first_call, 0);
  std::thread b(first_call, 1);
  a.join();
  b.join();
  EXPECT_TRUE(idle.handle().alive());
  // Both calls found the one thread (driver) the first of them started.
  EXPECT_TRUE(seen[0] == idle.handle());
  EXPECT_TRUE(seen[1] == idle.handle());
  // Once, or twice if the second call came more than 5 ms after the first
  // (a loaded machine may hold a thread back that long): never more.
  ASSERT_TRUE(eventually([&] { return fired.load() >= 1; }));
  std::this_thread::sleep_for(30ms);
  EXPECT_LE(fired.load(), 2);
}

TEST(IdleTimerConcurrency, QuitStopsAndJoinsAStandaloneTimersThread) {
  std::atomic<int> fired{0};
  IdleTimer idle(1h, [&] { fired.fetch_add(1); });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  const tickwheel::Handle own = idle.handle();
  ASSERT_TRUE(own.alive());
  idle.quit();
  // The DriverThread destroys its driver before its thread ends.
  EXPECT_FALSE(own.alive());
  EXPECT_EQ(idle.record_call(), make_error_code(tickwheel::errc::cancelled));
  EXPECT_EQ(idle.handle(), own) << "record_call() after quit() started another thread";
  EXPECT_FALSE(idle.handle().alive());
  idle.quit();  // idempotent
  EXPECT_EQ(fired.load(), 0);
}

TEST(IdleTimerConcurrency, QuitWaitsForTheCallbackOnAStandaloneThreadAndJoinsIt) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  IdleTimer idle(1ms, [&] {
    started = true;
    std::this_thread::sleep_for(50ms);
    finished = true;
  });
  ASSERT_EQ(idle.record_call(), std::error_code{});
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  const tickwheel::Handle own = idle.handle();
  idle.quit();
  EXPECT_TRUE(finished.load());
  EXPECT_FALSE(own.alive());
}

TEST(IdleTimerConcurrency, TwoQuitsAtOnceBothReturnOnlyOnceTheStandaloneThreadIsGone) {
  for (int i = 0; i < 50; ++i) {
    IdleTimer idle(1h, [] {});
    ASSERT_EQ(idle.record_call(), std::error_code{});
    const tickwheel::Handle own = idle.handle();
    ASSERT_TRUE(own.alive());
    std::barrier go(2);
    auto quitter = [&] {
      go.arrive_and_wait();
      idle.quit();
      EXPECT_FALSE(own.alive());
    };
    std::thread a(quitter);
    std::thread b(quitter);
    a.join();
    b.join();
  }
}

// Runs `body` on a thread of its own and reports whether it ended within
// `limit`, so that a deadlock fails the test instead of hanging it (the
// thread is then left behind, detached).
template <class Body>
bool finishes_within(Body body, std::chrono::milliseconds limit = 10s) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread t([body = std::move(body), done]() mutable {
    body();
    done->store(true);
  });
  const bool ok = eventually([&] { return done->load(); }, limit);
  if (ok) {
    t.join();
  } else {
    t.detach();
  }
  return ok;
}

TEST(IdleTimerConcurrency, QuitFromAStandaloneTimersOwnCallbackNeitherDeadlocksNorFiresAgain) {
  // What the watched thread touches is shared with it, so that a hang leaves
  // nothing of this test's frame under it.
  struct Seen {
    std::atomic<int> fired{0};
    tickwheel::Handle own;  // written by the watched thread, read after it ends
  };
  auto seen = std::make_shared<Seen>();
  ASSERT_TRUE(finishes_within([seen] {
    std::atomic<bool> returned{false};
    IdleTimer* self = nullptr;
    IdleTimer idle(1ms, [&] {
      seen->fired.fetch_add(1);
      self->quit();  // on the timer's own thread: must neither wait nor join
      returned = true;
    });
    self = &idle;
    ASSERT_EQ(idle.record_call(), std::error_code{});
    while (!returned.load()) std::this_thread::sleep_for(1ms);
    seen->own = idle.handle();
    EXPECT_TRUE(idle.quitted());
    EXPECT_EQ(idle.record_call(), make_error_code(tickwheel::errc::cancelled));
    EXPECT_EQ(idle.handle(), seen->own) << "record_call() after quit() started another thread";
    // The destructor joins the thread the callback's quit() left running.
  })) << "quit() in the callback, or the destructor after it, hung";
  EXPECT_FALSE(seen->own.alive());
  EXPECT_EQ(seen->fired.load(), 1);
}

TEST(IdleTimerConcurrency, AQuitFromAnotherThreadJoinsWhatAQuitInTheCallbackLeftRunning) {
  std::atomic<bool> returned{false};
  IdleTimer* self = nullptr;
  IdleTimer idle(1ms, [&] {
    self->quit();
    returned = true;
  });
  self = &idle;
  ASSERT_EQ(idle.record_call(), std::error_code{});
  ASSERT_TRUE(eventually([&] { return returned.load(); }));
  const tickwheel::Handle own = idle.handle();
  idle.quit();
  EXPECT_FALSE(own.alive());
  EXPECT_EQ(idle.fire_count(), 1u);
}
