#include "tickwheel/delay_queue.hpp"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/manual_clock.hpp"

using namespace std::chrono_literals;
using tickwheel::DelayQueue;
using tickwheel::Driver;
using tickwheel::errc;
using tickwheel::ManualClock;
using tickwheel::time_point;

namespace {

time_point at(tickwheel::duration d) { return time_point{d}; }

template <class T>
std::vector<T> drain(DelayQueue<T>& q, time_point now) {
  std::vector<T> out;
  while (auto e = q.poll_expired(now)) out.push_back(std::move(e->value));
  return out;
}

// A waiter that records what it is told.
struct Flag final : tickwheel::detail::Waiter {
  void complete(std::error_code ec) noexcept override { results.push_back(ec); }
  std::vector<std::error_code> results;
};

}  // namespace

TEST(DelayQueue, PopsInDeadlineOrder) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  q.insert_at(3, at(30ms));
  q.insert_at(1, at(10ms));
  q.insert_at(2, at(20ms));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(drain(q, at(25ms)), (std::vector<int>{1, 2}));
  EXPECT_EQ(drain(q, at(1h)), (std::vector<int>{3}));
  EXPECT_TRUE(q.empty());
}

TEST(DelayQueue, NothingComesOutBeforeItsDeadline) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  const auto key = q.insert_at(7, at(10ms) + 1ns);
  EXPECT_FALSE(q.poll_expired(at(10ms)));
  EXPECT_EQ(q.peek_expired(at(10ms)), nullptr);
  ASSERT_NE(q.peek_expired(at(11ms)), nullptr);
  EXPECT_EQ(*q.peek_expired(at(11ms)), 7);
  auto e = q.poll_expired(at(11ms));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->deadline, at(10ms) + 1ns);  // as given, not rounded
  EXPECT_EQ(e->key, key);
  EXPECT_FALSE(q.contains(key));
}

TEST(DelayQueue, TiesComeOutInInsertionOrder) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  for (int i = 0; i < 100; ++i) q.insert_at(i, at(5s));
  std::vector<int> want(100);
  for (int i = 0; i < 100; ++i) want[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(drain(q, at(5s)), want);
}

TEST(DelayQueue, InsertIsRelativeToTheClock) {
  ManualClock clock(at(1h));
  DelayQueue<std::string> q(clock);
  const auto k = q.insert("a", 30s);
  EXPECT_EQ(q.deadline(k), at(1h + 30s));
  EXPECT_EQ(q.next_deadline(), at(1h + 30s));
  clock.advance(30s);
  auto e = q.poll_expired();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "a");
}

TEST(DelayQueue, RemoveReturnsTheValueDueOrNot) {
  ManualClock clock;
  DelayQueue<std::string> q(clock);
  const auto a = q.insert_at("a", at(1s));
  const auto b = q.insert_at("b", at(2s));
  const auto c = q.insert_at("c", at(3s));
  EXPECT_EQ(q.remove(b).value(), "b");
  ASSERT_NE(q.peek_expired(at(5s)), nullptr);  // a and c are now due
  EXPECT_EQ(q.remove(a).value(), "a");         // due but not popped
  EXPECT_EQ(*q.get(c), "c");
  EXPECT_EQ(drain(q, at(5s)), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(q.empty());
}

TEST(DelayQueue, StaleKeysReportNotFoundAndChangeNothing) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  const auto k = q.insert_at(1, at(1s));
  ASSERT_EQ(q.remove(k).value(), 1);
  // The slot is reused with a new generation: the old key stays stale.
  const auto k2 = q.insert_at(2, at(1s));
  EXPECT_EQ(k2.index(), k.index());
  EXPECT_NE(k2, k);
  EXPECT_EQ(q.remove(k).error(), errc::not_found);
  EXPECT_EQ(q.reset_at(k, at(9s)), errc::not_found);
  EXPECT_EQ(q.reset(k, 1s), errc::not_found);
  EXPECT_EQ(q.remove(DelayQueue<int>::Key{}).error(), errc::not_found);
  EXPECT_THROW((void)q.remove(k).value(), tickwheel::error);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.deadline(k2), at(1s));
  // A popped key is stale too.
  EXPECT_EQ(drain(q, at(1s)), (std::vector<int>{2}));
  EXPECT_EQ(q.reset_at(k2, at(5s)), errc::not_found);
  EXPECT_EQ(q.remove(k2).error(), errc::not_found);
}

TEST(DelayQueue, ResetMovesTheDeadlineEitherWay) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  const auto a = q.insert_at(1, at(1s));
  const auto b = q.insert_at(2, at(2s));
  EXPECT_FALSE(q.reset_at(a, at(3s)));
  EXPECT_EQ(q.deadline(a), at(3s));
  EXPECT_EQ(drain(q, at(2s)), (std::vector<int>{2}));
  EXPECT_FALSE(q.contains(b));
  EXPECT_FALSE(q.reset_at(a, at(2500ms)));  // earlier again
  EXPECT_EQ(drain(q, at(2500ms)), (std::vector<int>{1}));
}

TEST(DelayQueue, ResetOfADueValueTakesItBack) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  const auto a = q.insert_at(1, at(1s));
  q.insert_at(2, at(1s));
  ASSERT_NE(q.peek_expired(at(1s)), nullptr);  // both due
  EXPECT_FALSE(q.reset(a, 1s));                // from the clock's now (0)
  EXPECT_FALSE(q.reset_at(a, at(4s)));
  EXPECT_EQ(drain(q, at(3s)), (std::vector<int>{2}));
  EXPECT_EQ(drain(q, at(4s)), (std::vector<int>{1}));
}

TEST(DelayQueue, BadInputIsATypedErrorAndNothingChanges) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  EXPECT_THROW(q.insert_at(1, time_point{-1ns}), tickwheel::error);
  EXPECT_THROW(q.insert(1, std::chrono::duration<double>(std::nan(""))), tickwheel::error);
  EXPECT_TRUE(q.empty());
  const auto k = q.insert_at(1, at(1s));
  EXPECT_EQ(q.reset_at(k, time_point{-1s}), errc::invalid_argument);
  EXPECT_EQ(q.reset(k, std::chrono::duration<double>(std::nan(""))), errc::invalid_argument);
  EXPECT_EQ(q.deadline(k), at(1s));
}

TEST(DelayQueue, ANegativeDelayIsDueAtOnce) {
  ManualClock clock;  // at its epoch: a negative delay must not land before it
  DelayQueue<int> q(clock);
  (void)q.insert(1, -5ms);
  (void)q.insert_at(2, clock.now());
  const auto k = q.insert_at(3, at(1s));
  EXPECT_FALSE(q.reset(k, -2s));
  EXPECT_EQ(q.deadline(k), at(0s));
  EXPECT_EQ(drain(q, at(0s)), (std::vector<int>{1, 2, 3}));
}

TEST(DelayQueue, ClearDropsEverythingAndKeepsCapacity) {
  ManualClock clock;
  DelayQueue<std::shared_ptr<int>> q(clock);
  auto tracked = std::make_shared<int>(5);
  std::vector<DelayQueue<std::shared_ptr<int>>::Key> keys;
  for (int i = 0; i < 50; ++i) keys.push_back(q.insert_at(tracked, at(std::chrono::seconds(i))));
  ASSERT_NE(q.peek_expired(at(10s)), nullptr);
  const auto cap = q.capacity();
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(tracked.use_count(), 1);
  EXPECT_EQ(q.capacity(), cap);
  EXPECT_FALSE(q.next_deadline());
  for (const auto& k : keys) EXPECT_FALSE(q.contains(k));
  EXPECT_FALSE(q.poll_expired(at(1h)));
  q.insert_at(tracked, at(1h));
  EXPECT_EQ(q.size(), 1u);
}

TEST(DelayQueue, HoldsMoveOnlyValuesAndMoves) {
  ManualClock clock;
  DelayQueue<std::unique_ptr<int>> q(clock);
  q.insert_at(std::make_unique<int>(4), at(1s));
  DelayQueue<std::unique_ptr<int>> moved(std::move(q));
  auto e = moved.poll_expired(at(1s));
  ASSERT_TRUE(e);
  EXPECT_EQ(*e->value, 4);
}

TEST(DelayQueue, AMillionEntriesComeOutInTickOrder) {
  ManualClock clock;
  DelayQueue<std::uint32_t> q(clock);
  constexpr std::uint32_t n = 1'000'000;
  q.reserve(n);
  const auto cap = q.capacity();
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int64_t> ms(0, 3'600'000);
  std::vector<std::int64_t> due(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    due[i] = ms(rng);
    q.insert_at(i, at(std::chrono::milliseconds(due[i])));
  }
  EXPECT_EQ(q.size(), n);
  EXPECT_EQ(q.capacity(), cap);  // no growth beyond the reservation
  std::int64_t last = -1;
  std::uint32_t last_index = 0;
  std::size_t popped = 0;
  for (std::int64_t t = 0; t <= 3'600'000; t += 60'000) {
    while (auto e = q.poll_expired(at(std::chrono::milliseconds(t)))) {
      const std::int64_t d = due[e->value];
      ASSERT_LE(d, t);
      ASSERT_TRUE(d > last || (d == last && e->value > last_index)) << e->value;
      last = d;
      last_index = e->value;
      ++popped;
    }
  }
  EXPECT_EQ(popped, n);
  EXPECT_TRUE(q.empty());
}

// Random inserts, removes, resets and polls against a std::multimap ordered
// by (deadline tick, insertion sequence).
TEST(DelayQueue, MatchesAnOrderedMapModel) {
  ManualClock clock;
  DelayQueue<int> q(clock);
  using Key = DelayQueue<int>::Key;
  using Order = std::pair<std::int64_t, std::uint64_t>;
  std::multimap<Order, std::pair<int, Key>> model;
  std::map<int, Order> where;             // value -> its model position
  std::vector<std::pair<Key, int>> keys;  // every key ever issued
  std::mt19937 rng(42);
  std::uint64_t seq = 0;
  std::int64_t now_ms = 0;
  int next_value = 0;
  auto tick_of = [](std::int64_t us) { return (us + 999) / 1000; };  // 1 ms ticks, round up
  for (int step = 0; step < 200'000; ++step) {
    const auto op = rng() % 10;
    if (op < 4) {
      const std::int64_t us = now_ms * 1000 + static_cast<std::int64_t>(rng() % 5'000'000);
      const int v = next_value++;
      const Key k = q.insert_at(v, at(std::chrono::microseconds(us)));
      const Order o{std::max(tick_of(us), now_ms), seq++};
      model.emplace(o, std::make_pair(v, k));
      where[v] = o;
      keys.emplace_back(k, v);
    } else if (op < 6 && !keys.empty()) {
      const auto [k, v] = keys[rng() % keys.size()];
      auto r = q.remove(k);
      auto it = where.find(v);
      if (it == where.end()) {
        ASSERT_EQ(r.error(), errc::not_found);
      } else {
        ASSERT_TRUE(r.has_value());
        ASSERT_EQ(*r, v);
        auto range = model.equal_range(it->second);
        model.erase(range.first);
        where.erase(it);
      }
    } else if (op < 8 && !keys.empty()) {
      const auto [k, v] = keys[rng() % keys.size()];
      const std::int64_t us = now_ms * 1000 + static_cast<std::int64_t>(rng() % 5'000'000);
      const std::error_code ec = q.reset_at(k, at(std::chrono::microseconds(us)));
      auto it = where.find(v);
      if (it == where.end()) {
        ASSERT_EQ(ec, errc::not_found);
      } else {
        ASSERT_FALSE(ec);
        model.erase(model.find(it->second));
        const Order o{std::max(tick_of(us), now_ms), seq++};
        model.emplace(o, std::make_pair(v, k));
        it->second = o;
      }
    } else {
      now_ms += static_cast<std::int64_t>(rng() % 700);
      // Entries already expired stay ahead of newly due ones: the model's
      // order matches because their ticks are <= every later tick.
      while (auto e = q.poll_expired(at(std::chrono::milliseconds(now_ms)))) {
        ASSERT_FALSE(model.empty());
        auto first = model.begin();
        ASSERT_LE(first->first.first, now_ms);
        ASSERT_EQ(e->value, first->second.first) << "step " << step;
        ASSERT_EQ(e->key, first->second.second);
        where.erase(e->value);
        model.erase(first);
      }
      ASSERT_TRUE(model.empty() || model.begin()->first.first > now_ms);
    }
    ASSERT_EQ(q.size(), model.size());
  }
}

TEST(DelayQueue, PopWaitsOnTheDriver) {
  ManualClock clock;
  Driver driver(clock);
  DelayQueue<int> q(driver.handle());
  q.insert_at(5, at(5s));
  q.insert_at(2, at(2s));
  auto e = q.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, 2);
  EXPECT_EQ(clock.now(), at(2s));  // virtual time jumped to the deadline
  e = q.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, 5);
  EXPECT_EQ(clock.now(), at(5s));
  EXPECT_EQ(q.pop().error(), errc::empty);
  // A far deadline (beyond the wheel's fine levels) is reached exactly.
  q.insert_at(9, at(5s + 40h) + 1ns);
  e = q.pop();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, 9);
  EXPECT_GE(clock.now(), at(5s + 40h) + 1ns);
  EXPECT_LE(clock.now(), at(5s + 40h + 1ms));
}

TEST(DelayQueue, SubscribeTellsAWaiterWhenAValueIsDue) {
  ManualClock clock;
  Driver driver(clock);
  DelayQueue<int> q(driver.handle());
  Flag w;
  EXPECT_FALSE(q.subscribe(&w));  // empty
  q.insert_at(1, at(3s));
  ASSERT_TRUE(q.subscribe(&w));
  driver.run_until_idle();
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_FALSE(w.results[0]);
  EXPECT_EQ(clock.now(), at(3s));
  EXPECT_TRUE(q.poll_expired());
}

TEST(DelayQueue, AnEarlierValueMovesASubscribersWakeUpEarlier) {
  ManualClock clock;
  Driver driver(clock);
  DelayQueue<std::string> q(driver.handle());
  Flag w;
  const auto foo = q.insert_at("foo", at(10s));
  ASSERT_TRUE(q.subscribe(&w));
  q.insert_at("bar", at(600ms));  // due long before the armed wake-up
  driver.turn();
  ASSERT_EQ(w.results.size(), 1u);
  EXPECT_EQ(clock.now(), at(600ms));
  auto e = q.poll_expired();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "bar");
  // A reset that brings a value forward moves it too.
  ASSERT_TRUE(q.subscribe(&w));
  EXPECT_FALSE(q.reset_at(foo, at(2s)));
  driver.turn();
  ASSERT_EQ(w.results.size(), 2u);
  EXPECT_EQ(clock.now(), at(2s));
  e = q.poll_expired();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "foo");
}

TEST(DelayQueue, PopWithoutALiveDriverIsShutdown) {
  ManualClock clock;
  DelayQueue<int> no_driver(clock);
  no_driver.insert_at(1, at(1s));
  EXPECT_EQ(no_driver.pop().error(), errc::shutdown);
  auto driver = std::make_unique<Driver>(clock);
  DelayQueue<int> q(driver->handle());
  q.insert_at(1, at(1s));
  q.insert_at(2, at(2s));
  EXPECT_EQ(q.pop()->value, 1);
  driver.reset();
  EXPECT_EQ(q.pop().error(), errc::shutdown);
  EXPECT_EQ(q.size(), 1u);  // nothing lost: still there to poll
  clock.advance(5s);
  EXPECT_EQ(q.poll_expired()->value, 2);
}
