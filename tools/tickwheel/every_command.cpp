#include "every_command.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/epoll.h>
#include <unistd.h>

#include "child_process.hpp"
#include "exit_status.hpp"
#include "format.hpp"
#include "process_signals.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/epoll_park.hpp"
#include "tickwheel/interval.hpp"
#include "tickwheel/missed_tick_policy.hpp"
#include "tool_driver.hpp"

namespace tickwheel::cli {
namespace {

AnyMissedTickPolicy policy_of(const EveryOptions& options) {
  switch (options.policy) {
    case PolicyName::all:
      return TriggerAllMissed{};
    case PolicyName::drift:
      return SkipMissedAndDrift(options.tolerance);
    case PolicyName::resync:
      break;
  }
  return SkipMissedAndResync{};
}

void print(const std::string& line) { (void)!::write(STDERR_FILENO, line.data(), line.size()); }

class EverySession {
 public:
  explicit EverySession(const EveryOptions& options)
      : options_(options),
        // As for `run`: a hang-up (the terminal closed) or a quit must reach
        // the command too, not leave it running without us.
        signals_({SIGINT, SIGTERM, SIGHUP, SIGQUIT}),
        owned_park_(std::make_unique<EpollPark>()),
        park_(owned_park_.get()),
        driver_(ClockRef{}, std::move(owned_park_), tool_driver_options()) {}

  int run() {
    const WatchId signal_watch = park_->watch(signals_.fd(), EPOLLIN, [this](std::uint32_t) {
      while (const std::optional<int> sig = signals_.take()) on_signal(*sig);
    });
    IntervalOptions interval_options;
    interval_options.start_delay = options_.start_delay;
    interval_options.first_tick_at_start = options_.now;
    // No callback: a tick is taken (consume) only when no run is going, so a
    // run that outlasts the interval makes the next tick late, and the
    // policy, asked at that moment, decides what follows, exactly as for a
    // loop that waits for each tick and then does its work.
    interval_ =
        Interval(driver_.handle(), options_.interval, policy_of(options_), interval_options);
    // The instant the schedule counts from, read back from the first tick so
    // that report offsets are exact multiples of the interval.
    start_ = *interval_.next_tick() - options_.start_delay;
    if (!options_.now) start_ -= interval_.interval();

    while (!result_) {
      if (!child_ && !stop_signal_) take_tick();
      if (!result_) driver_.turn();  // until a tick, the run's end or a signal
    }

    interval_.stop();
    park_->unwatch(signal_watch);
    return *result_;
  }

 private:
  void take_tick() {
    IntervalTick tick;
    if (interval_.consume(tick)) return;  // not due yet
    if (options_.report) {
      print("tickwheel: tick " + std::to_string(tick.number) + " at " +
            format_offset(tick.scheduled - start_) + " drift " + format_drift(tick.drift) + "\n");
    }
    // Throws SpawnError out of run().
    child_.emplace(ChildProcess::start(options_.command, {.signals = &signals_}));
    child_watch_ =
        park_->watch(child_->pidfd(), EPOLLIN, [this](std::uint32_t) { on_child_ended(); });
    ++runs_;
    if (options_.count && runs_ >= *options_.count) interval_.stop();
  }

  void on_child_ended() {
    park_->unwatch(child_watch_);
    const ChildStatus status = child_->reap();
    child_.reset();
    if (stop_signal_ || (options_.count && runs_ >= *options_.count)) {
      result_ = shell_status(status);
    }
  }

  void on_signal(int sig) {
    if (stop_signal_) {
      if (child_) child_->deliver(sig);  // a second INT: pass it on too
      return;
    }
    stop_signal_ = sig;
    interval_.stop();
    if (child_) {
      child_->deliver(sig);  // the result is its status, once it ends
    } else {
      result_ = exit_status::signal_base + sig;
    }
  }

  const EveryOptions& options_;
  ProcessSignals signals_;
  std::unique_ptr<EpollPark> owned_park_;  // until driver_ takes it
  EpollPark* park_;
  Driver driver_;
  std::optional<ChildProcess> child_;  // the run going now
  WatchId child_watch_;
  Interval interval_;  // after the driver: destroyed before it
  time_point start_{};
  std::uint64_t runs_ = 0;
  std::optional<int> stop_signal_;
  std::optional<int> result_;
};

}  // namespace

int every_command(const EveryOptions& options) { return EverySession(options).run(); }

}  // namespace tickwheel::cli
