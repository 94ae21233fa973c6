// Randomized differential test: TimerWheel against an ordered multimap that
// is trivially correct. Every fire is checked for never-early, exactly-once
// and (deadline, schedule order) order. Seeded and reproducible; set
// TICKWHEEL_MODEL_OPS to run more operations than the default 10^6.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <unordered_map>
#include <vector>

#include "tickwheel/timer_wheel.hpp"

using namespace std::chrono_literals;
using tickwheel::time_point;
using tickwheel::TimerWheel;
using tickwheel::WheelGeometry;

namespace {

struct model_timer {
  std::int64_t tick;
  std::uint64_t order;
};

class differential {
 public:
  differential(WheelGeometry g, std::uint64_t seed) : wheel_(time_point{}, g), g_(g), rng_(seed) {}

  void run(std::size_t ops) {
    for (std::size_t i = 0; i < ops && !::testing::Test::HasFailure(); ++i) step();
    advance_to(now_ + (std::int64_t{1} << 62));
    EXPECT_TRUE(model_.empty());
    EXPECT_TRUE(wheel_.empty());
  }

 private:
  std::int64_t random_delay() {
    const unsigned span_bits = g_.levels * g_.bits_per_level;
    switch (pick(10)) {
      case 0: return -static_cast<std::int64_t>(pick(1000));  // past
      case 1: return 0;                                        // this tick
      case 2: return static_cast<std::int64_t>(pick(64));
      case 3: {  // around a level boundary
        const unsigned level = static_cast<unsigned>(pick(g_.levels));
        const std::int64_t edge = std::int64_t{1} << (g_.bits_per_level * (level + 1));
        return edge - 2 + static_cast<std::int64_t>(pick(5));
      }
      case 4: return static_cast<std::int64_t>(pick(std::uint64_t{1} << (span_bits + 2)));  // overflow
      default: return static_cast<std::int64_t>(pick(60000)) + 1;
    }
  }

  std::uint64_t pick(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }

  tickwheel::timer_id random_live() {
    if (ids_.empty()) return {};
    return ids_[pick(ids_.size())];
  }

  void step() {
    const auto op = pick(100);
    if (op < 40) {
      schedule();
    } else if (op < 55) {
      const auto id = random_live();
      const bool live = tags_.count(key(id)) != 0;
      EXPECT_EQ(wheel_.cancel(id), live);
      if (live) forget(id);
    } else if (op < 70) {
      move(false);
    } else if (op < 80) {
      move(true);
    } else {
      std::int64_t by = 0;
      switch (pick(4)) {
        case 0: by = 0; break;
        case 1: by = static_cast<std::int64_t>(pick(100)); break;
        case 2: by = static_cast<std::int64_t>(pick(70000)); break;
        default: by = static_cast<std::int64_t>(pick(std::uint64_t{1} << 34)); break;
      }
      advance_to(now_ + by);
    }
  }

  static std::uint64_t key(tickwheel::timer_id id) {
    return (std::uint64_t{id.index()} << 32) | id.generation();
  }

  void schedule() {
    const std::int64_t tick = std::max<std::int64_t>(0, now_ + random_delay());
    const std::uint64_t tag = next_tag_++;
    const auto id = wheel_.schedule_at(time_point{std::chrono::milliseconds(tick)},
                                       [this, tag] { on_fire(tag); });
    const std::uint64_t order = next_order_++;
    model_.emplace(std::pair{tick, order}, tag);
    tags_[key(id)] = tag;
    timers_[tag] = {tick, order};
    ids_.push_back(id);
  }

  void move(bool lazy) {
    const auto id = random_live();
    const auto it = tags_.find(key(id));
    const std::int64_t tick = std::max<std::int64_t>(0, now_ + random_delay());
    const time_point t{std::chrono::milliseconds(tick)};
    const bool ok = lazy ? wheel_.push_later(id, t) : wheel_.reschedule(id, t);
    EXPECT_EQ(ok, it != tags_.end());
    if (it == tags_.end()) return;
    auto& m = timers_[it->second];
    model_.erase(std::pair{m.tick, m.order});
    m = {tick, next_order_++};
    model_.emplace(std::pair{m.tick, m.order}, it->second);
  }

  void forget(tickwheel::timer_id id) {
    const auto it = tags_.find(key(id));
    const auto& m = timers_[it->second];
    model_.erase(std::pair{m.tick, m.order});
    timers_.erase(it->second);
    tags_.erase(it);
    prune();
  }

  void prune() {
    // Keep a few dead ids around to exercise stale-id paths.
    if (ids_.size() > 4 * tags_.size() + 64) {
      std::vector<tickwheel::timer_id> keep;
      for (const auto id : ids_)
        if (tags_.count(key(id)) != 0 || pick(8) == 0) keep.push_back(id);
      ids_.swap(keep);
    }
  }

  void on_fire(std::uint64_t tag) { fired_.push_back(tag); }

  void advance_to(std::int64_t target) {
    now_ = target;
    std::vector<std::uint64_t> want;
    while (!model_.empty() && model_.begin()->first.first <= target) {
      want.push_back(model_.begin()->second);
      model_.erase(model_.begin());
    }
    fired_.clear();
    wheel_.advance(time_point{std::chrono::milliseconds(target)});
    ASSERT_EQ(fired_, want) << "at tick " << target;
    for (const auto tag : want) {
      EXPECT_LE(timers_[tag].tick, target);  // never early
      timers_.erase(tag);
    }
    for (auto it = tags_.begin(); it != tags_.end();) {
      if (timers_.count(it->second) == 0) it = tags_.erase(it); else ++it;
    }
    EXPECT_EQ(wheel_.size(), model_.size());
    prune();
  }

  TimerWheel wheel_;
  WheelGeometry g_;
  std::mt19937_64 rng_;
  std::int64_t now_ = 0;
  std::uint64_t next_tag_ = 0;
  std::uint64_t next_order_ = 0;
  std::multimap<std::pair<std::int64_t, std::uint64_t>, std::uint64_t> model_;
  std::unordered_map<std::uint64_t, std::uint64_t> tags_;  // id key -> tag
  std::unordered_map<std::uint64_t, model_timer> timers_;  // tag -> model
  std::vector<tickwheel::timer_id> ids_;
  std::vector<std::uint64_t> fired_;
};

std::size_t ops_per_geometry() {
  if (const char* env = std::getenv("TICKWHEEL_MODEL_OPS")) return std::strtoull(env, nullptr, 10);
  return 500'000;  // two geometries: 10^6 operations in the normal suite
}

}  // namespace

TEST(WheelModel, MatchesReferenceWithLevelsOf64) {
  differential(WheelGeometry::levels_of_64(), 20261202).run(ops_per_geometry());
}

TEST(WheelModel, MatchesReferenceWithLevelsOf256) {
  differential(WheelGeometry::levels_of_256(), 42).run(ops_per_geometry());
}

TEST(WheelModel, MatchesReferenceWithTinyLevels) {
  // 3 levels of 4 slots: everything cascades and overflows constantly.
  differential(WheelGeometry{std::chrono::milliseconds(1), 3, 2}, 7).run(100'000);
}
