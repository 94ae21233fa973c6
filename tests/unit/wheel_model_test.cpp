// Randomized differential test: TimerWheel against an ordered map that is
// trivially correct. Random schedule / cancel / reschedule / push_later /
// advance sequences, with past, same-tick, level-boundary and far-future
// deadlines, plus callbacks that themselves schedule, cancel and reschedule.
// Every fire is checked against the model's head at the moment it happens:
// never early, exactly once, (deadline, schedule order) order.
//
// Seeded and reproducible. TICKWHEEL_MODEL_OPS scales the operations per
// case (default: 1.2 million operations over all cases).
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/timer_wheel.hpp"

using tickwheel::time_point;
using tickwheel::TimerId;
using tickwheel::TimerWheel;
using tickwheel::WheelGeometry;

namespace {

using key_t = std::pair<std::int64_t, std::uint64_t>;  // (tick, order)

std::uint64_t id_key(TimerId id) { return (std::uint64_t{id.index()} << 32) | id.generation(); }

class Differential {
 public:
  Differential(WheelGeometry g, std::uint64_t seed)
      : g_(g),
        wheel_(time_point{}, g),
        rng_(seed),
        max_tick_(std::numeric_limits<std::int64_t>::max() / g.tick.count()) {}

  void run(std::size_t ops, std::int64_t start_tick = 0) {
    advance_to(start_tick);
    for (std::size_t i = 0; i < ops && !::testing::Test::HasFailure(); ++i) step();
    if (::testing::Test::HasFailure()) return;
    drain_from_ = target_;
    advance_to(max_tick_);  // everything left fires by the end of time
    EXPECT_TRUE(model_.empty());
    EXPECT_TRUE(wheel_.empty());
    EXPECT_FALSE(wheel_.next_deadline());
    ::testing::Test::RecordProperty("fired", static_cast<int>(fired_));
    ::testing::Test::RecordProperty("final_tick_before_drain", std::to_string(drain_from_));
  }

 private:
  struct timer {
    TimerId id;
    key_t key;
  };

  time_point at_tick(std::int64_t tick) const {
    return time_point{std::chrono::nanoseconds(tick * g_.tick.count())};
  }
  std::int64_t wheel_tick() const {
    return wheel_.now().time_since_epoch().count() / g_.tick.count();
  }
  std::uint64_t pick(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }
  std::int64_t clamp_tick(std::int64_t base, std::int64_t delay) const {
    if (delay > 0 && base > max_tick_ - delay) return max_tick_;
    return std::clamp<std::int64_t>(base + delay, 0, max_tick_);
  }

  std::int64_t random_delay() {
    const unsigned span_bits = g_.levels * g_.bits_per_level;
    switch (pick(10)) {
      case 0:
        return -static_cast<std::int64_t>(pick(1000));  // past
      case 1:
        return 0;  // this tick
      case 2:
        return static_cast<std::int64_t>(pick(64));
      case 3: {  // around a level boundary
        const auto level = static_cast<unsigned>(pick(g_.levels));
        const unsigned bits = std::min(62u, g_.bits_per_level * (level + 1));
        return (std::int64_t{1} << bits) - 2 + static_cast<std::int64_t>(pick(5));
      }
      case 4:  // beyond the wheel: the overflow list
        return static_cast<std::int64_t>(pick(std::uint64_t{1} << std::min(62u, span_bits + 2)));
      default:
        return static_cast<std::int64_t>(pick(60000)) + 1;
    }
  }

  // A future deadline for operations done from inside a callback: after the
  // wheel's current tick, so that deadline order stays exactly checkable.
  std::int64_t future_tick() { return clamp_tick(wheel_tick(), 1 + std::abs(random_delay())); }

  void schedule(std::int64_t tick) {
    const std::uint64_t tag = next_tag_++;
    const TimerId id = wheel_.schedule_at(at_tick(tick), [this, tag] { on_fire(tag); });
    const key_t key{tick, next_order_++};
    model_.emplace(key, tag);
    timers_[tag] = {id, key};
    tag_of_[id_key(id)] = tag;
    ids_.push_back(id);
    if (ids_.size() > 4096) ids_.erase(ids_.begin(), ids_.begin() + 2048);
  }

  TimerId random_id() {
    if (ids_.empty() || pick(20) == 0) return TimerId{static_cast<std::uint32_t>(pick(1000)), 1};
    return ids_[pick(ids_.size())];
  }

  const std::uint64_t* live_tag(TimerId id) const {
    const auto it = tag_of_.find(id_key(id));
    return it == tag_of_.end() ? nullptr : &it->second;
  }

  void cancel() {
    const TimerId id = random_id();
    const std::uint64_t* tag = live_tag(id);
    EXPECT_EQ(wheel_.cancel(id), tag != nullptr);
    if (tag != nullptr) forget(*tag);
  }

  void move(bool lazy, std::int64_t tick) {
    const TimerId id = random_id();
    const std::uint64_t* tag = live_tag(id);
    const bool ok =
        lazy ? wheel_.push_later(id, at_tick(tick)) : wheel_.reschedule(id, at_tick(tick));
    if (tag == nullptr && firing_ && firing_->first == id) {
      // A timer whose callback is running is re-armed by either call.
      EXPECT_TRUE(ok);
      const key_t key{tick, next_order_++};
      model_.emplace(key, firing_->second);
      timers_[firing_->second] = {id, key};
      tag_of_[id_key(id)] = firing_->second;
      return;
    }
    EXPECT_EQ(ok, tag != nullptr);
    if (tag == nullptr) return;
    timer& t = timers_[*tag];
    model_.erase(t.key);
    t.key = {tick, next_order_++};
    model_.emplace(t.key, *tag);
  }

  void forget(std::uint64_t tag) {
    const auto it = timers_.find(tag);
    model_.erase(it->second.key);
    tag_of_.erase(id_key(it->second.id));
    timers_.erase(it);
  }

  void on_fire(std::uint64_t tag) {
    ASSERT_FALSE(model_.empty()) << "fired with nothing due: tag " << tag;
    const auto head = model_.begin();
    ASSERT_EQ(head->second, tag) << "out of order: fired tag " << tag << " before tag "
                                 << head->second << " (tick " << head->first.first << ")";
    const std::int64_t tick = head->first.first;
    ASSERT_LE(tick, target_) << "early: tag " << tag;
    ASSERT_LE(tick, wheel_tick()) << "fired before the wheel reached its tick";
    const TimerId self = timers_[tag].id;
    forget(tag);
    firing_ = {self, tag};
    ++fired_;
    // Reentrancy: sometimes act on the wheel from inside the callback (at
    // the end of time there is no future tick left to aim at).
    switch (wheel_tick() < max_tick_ ? pick(8) : 1) {
      case 0:
        schedule(future_tick());
        break;
      case 1:
        cancel();
        break;
      case 2:
        move(false, future_tick());
        break;
      case 3:
        move(true, future_tick());
        break;
      default:
        break;
    }
    firing_.reset();
  }

  void advance_to(std::int64_t target) {
    target_ = std::max(target_, target);
    // Split some advances into budgeted calls: they must add up to one.
    const bool budgeted = pick(4) == 0;
    for (;;) {
      const auto r = wheel_.advance(at_tick(target), budgeted ? 1 + pick(8) : SIZE_MAX);
      if (::testing::Test::HasFailure() || !r.more) break;
    }
    if (::testing::Test::HasFailure()) return;
    ASSERT_EQ(wheel_tick(), target_);
    ASSERT_EQ(wheel_.size(), model_.size());
    if (model_.empty()) {
      ASSERT_FALSE(wheel_.next_deadline());
    } else {
      ASSERT_GT(model_.begin()->first.first, target_) << "a due timer did not fire";
      const auto next = wheel_.next_deadline();
      ASSERT_TRUE(next);
      ASSERT_LE(*next, at_tick(model_.begin()->first.first)) << "next_deadline() too late";
      ASSERT_GE(*next, wheel_.now());
    }
  }

  void step() {
    const auto op = pick(100);
    if (op < 40) {
      schedule(clamp_tick(target_, random_delay()));
    } else if (op < 52) {
      cancel();
    } else if (op < 64) {
      move(false, clamp_tick(target_, random_delay()));
    } else if (op < 76) {
      move(true, clamp_tick(target_, random_delay()));
    } else if (op < 80) {
      const TimerId id = random_id();
      const std::uint64_t* tag = live_tag(id);
      EXPECT_EQ(wheel_.pending(id), tag != nullptr);
      if (tag != nullptr) {
        EXPECT_EQ(wheel_.deadline(id), at_tick(timers_[*tag].key.first));
      }
    } else {
      std::int64_t by = 0;
      const auto how = pick(100);
      if (how < 10) {
        by = 0;
      } else if (how < 50) {
        by = static_cast<std::int64_t>(pick(100));
      } else if (how < 80) {
        by = static_cast<std::int64_t>(pick(70000));
      } else if (how < 98) {  // exactly to the next deadline: cascades land on boundaries
        const auto next = wheel_.next_deadline();
        by = next ? next->time_since_epoch().count() / g_.tick.count() - target_ : 0;
      } else {  // far: through the top levels and the overflow list
        by = static_cast<std::int64_t>(pick(std::uint64_t{1} << 32));
      }
      advance_to(clamp_tick(target_, by));
    }
  }

  WheelGeometry g_;
  TimerWheel wheel_;
  std::mt19937_64 rng_;
  std::int64_t max_tick_;
  std::int64_t target_ = 0;
  std::uint64_t next_tag_ = 0;
  std::uint64_t next_order_ = 0;
  std::optional<std::pair<TimerId, std::uint64_t>> firing_;  // the callback running now
  std::size_t fired_ = 0;
  std::int64_t drain_from_ = 0;
  std::map<key_t, std::uint64_t> model_;                     // (tick, order) -> tag
  std::unordered_map<std::uint64_t, timer> timers_;          // tag -> timer
  std::unordered_map<std::uint64_t, std::uint64_t> tag_of_;  // id -> tag, live ones
  std::vector<TimerId> ids_;                                 // recent ids, live or not
};

// TICKWHEEL_MODEL_SEED shifts every case's seed, to explore other runs.
std::uint64_t seed(std::uint64_t base) {
  const char* env = std::getenv("TICKWHEEL_MODEL_SEED");
  return base + (env != nullptr ? std::strtoull(env, nullptr, 10) : 0);
}

std::size_t scaled(std::size_t ops) {
  if (const char* env = std::getenv("TICKWHEEL_MODEL_OPS")) {
    return static_cast<std::size_t>(std::strtoull(env, nullptr, 10));
  }
  return ops;
}

}  // namespace

TEST(WheelModel, MatchesReferenceWithLevelsOf64) {
  Differential(WheelGeometry::levels_of_64(), seed(1)).run(scaled(400'000));
}

TEST(WheelModel, MatchesReferenceWithLevelsOf256) {
  Differential(WheelGeometry::levels_of_256(), seed(42)).run(scaled(400'000));
}

TEST(WheelModel, MatchesReferenceWithTinyLevels) {
  // 3 levels of 4 slots: everything cascades and overflows constantly.
  Differential(WheelGeometry{std::chrono::milliseconds(1), 3, 2}, seed(7)).run(scaled(200'000));
}

TEST(WheelModel, MatchesReferenceNearTheEndOfTime) {
  // 1 ns ticks: deadlines reach 2^63 ticks, so the top levels and the
  // overflow list wrap with values near the end of the tick range.
  Differential(WheelGeometry{std::chrono::nanoseconds(1), 7, 8}, seed(99))
      .run(scaled(200'000), std::numeric_limits<std::int64_t>::max() - (std::int64_t{1} << 60));
}
