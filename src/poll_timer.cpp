#include "tickwheel/poll_timer.hpp"

#include <atomic>
#include <iostream>
#include <utility>

namespace tickwheel {
namespace {

std::string next_default_name() {
  static std::atomic<std::uint64_t> counter{0};
  return "timer #" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::string show(time_point t) {
  if (t == time_point::max()) return "never";
  return format_duration(TimeValue(t.time_since_epoch()));
}

PollTimer make_timeout(PollTimer t) {
  if (!t.exception()) t.set_exception(default_timeout_text(t.name()));
  return t;
}

}  // namespace

std::string_view to_string(TimerState state) noexcept {
  switch (state) {
    case TimerState::reset:
      return "reset";
    case TimerState::running:
      return "running";
    case TimerState::expired:
      return "expired";
  }
  return "invalid";
}

std::string default_timeout_text(std::string_view timer_name) {
  return "tickwheel: timeout on " + std::string(timer_name);
}

namespace {

// A timeout's message must say which timer expired; a text that already
// does (the default one) is left as it is.
std::string timeout_message(const std::string& timer_name, const std::string& text) {
  if (text.find(timer_name) != std::string::npos) return text;
  return text + " [" + timer_name + "]";
}

}  // namespace

TimeoutError::TimeoutError(std::string timer_name, std::string exception_text)
    : error_with_text(errc::timed_out, timeout_message(timer_name, exception_text)),
      strings_(std::make_shared<const std::pair<std::string, std::string>>(
          std::move(timer_name), std::move(exception_text))) {}

PollTimer::PollTimer(TimerOptions options)
    : clock_(options.clock),
      fudge_(options.fudge ? *options.fudge : options.clock.resolution()),
      // Every timer takes a number, named or not, so "timer #N" is the Nth built.
      name_(next_default_name()),
      exception_(std::move(options.exception)),
      debug_(options.debug),
      sink_(std::move(options.debug_sink)) {
  if (!options.name.empty()) name_ = std::move(options.name);
  if (fudge_ < duration::zero()) {
    throw error(errc::invalid_argument, "tickwheel: negative fudge for " + name_);
  }
}

PollTimer::PollTimer(TimeValue interval, TimerOptions options) : PollTimer(std::move(options)) {
  interval_ = checked(interval);
}

PollTimer::PollTimer(std::string_view interval, TimerOptions options)
    : PollTimer(parse_duration(interval), std::move(options)) {}

TimeValue PollTimer::checked(TimeValue interval) const {
  if (interval.is_negative()) {
    throw error(errc::invalid_argument, "tickwheel: negative interval " +
                                            format_duration(interval) + " for " + name_ +
                                            " (a timer cannot end before it starts)");
  }
  return interval;
}

time_point PollTimer::end_for(time_point start, TimeValue interval) const noexcept {
  if (interval.is_infinite()) return time_point::max();
  if (interval.is_zero()) return start;
  return saturating_add(saturating_add(start, interval.to_duration()), fudge_);
}

void PollTimer::log(std::string_view what) const {
  const std::string line = "tickwheel: " + name_ + ": " + std::string(what);
  if (sink_) {
    sink_(line);
  } else {
    std::cerr << line << '\n';
  }
}

void PollTimer::start() { start(clock_.now()); }

void PollTimer::start(time_point now) {
  const bool keep_end = is_reset() && end_.has_value();
  if (!keep_end && !interval_) {
    throw error(errc::invalid_argument, "tickwheel: cannot start " + name_ +
                                            ": no interval was ever set" +
                                            (is_reset() ? " and no end time either" : ""));
  }
  state_ = TimerState::running;
  start_ = now;
  if (!keep_end) end_ = end_for(now, *interval_);
  if (debug_) log("started at " + show(now) + ", ends at " + show(*end_));
}

void PollTimer::start(TimeValue interval) { start(interval, clock_.now()); }

void PollTimer::start(TimeValue interval, time_point now) {
  interval_ = checked(interval);
  end_.reset();
  start(now);
}

void PollTimer::start(std::string_view interval) { start(parse_duration(interval)); }

void PollTimer::start(std::string_view interval, time_point now) {
  start(parse_duration(interval), now);
}

std::optional<duration> PollTimer::check() {
  if (!is_running()) return std::nullopt;  // no clock read for idle timers
  return check(clock_.now());
}

std::optional<duration> PollTimer::check(time_point now) {
  if (!is_running()) return std::nullopt;
  if (*end_ == time_point::max()) return duration::max();
  const std::int64_t left =
      detail::sat_sub(end_->time_since_epoch().count(), now.time_since_epoch().count());
  if (left > 0) return duration{left};
  expire();
  return duration::zero();
}

void PollTimer::expire() {
  if (is_expired()) return;
  state_ = TimerState::expired;
  if (debug_) log("expired");
  if (is_timeout()) throw TimeoutError(name_, *exception_);
}

void PollTimer::set_state(TimerState state) {
  if (state == TimerState::running && !end_) {
    throw error(errc::invalid_argument,
                "tickwheel: cannot set " + name_ + " running: it has no end time");
  }
  state_ = state;
  if (debug_) log("state set to " + std::string(to_string(state)));
}

void PollTimer::reset() {
  state_ = TimerState::reset;
  start_.reset();
  end_.reset();
  if (debug_) log("reset");
}

void PollTimer::set_interval(TimeValue interval) {
  interval_ = checked(interval);
  if (is_running()) {
    end_ = end_for(*start_, *interval_);
    if (debug_) log("interval set to " + format_duration(*interval_) + ", ends at " + show(*end_));
  }
}

void PollTimer::set_interval(std::string_view interval) { set_interval(parse_duration(interval)); }

void PollTimer::set_end_time(time_point end) {
  if (is_expired()) return;
  end_ = end;
  if (debug_) log("end time set to " + show(end));
}

void PollTimer::set_fudge(duration fudge) {
  if (fudge < duration::zero()) {
    throw error(errc::invalid_argument, "tickwheel: negative fudge for " + name_);
  }
  fudge_ = fudge;
}

PollTimer timer(TimerOptions options) { return PollTimer(std::move(options)); }
PollTimer timer(TimeValue interval, TimerOptions options) {
  return PollTimer(interval, std::move(options));
}
PollTimer timer(std::string_view interval, TimerOptions options) {
  return PollTimer(interval, std::move(options));
}

PollTimer timeout(TimerOptions options) { return make_timeout(PollTimer(std::move(options))); }
PollTimer timeout(TimeValue interval, TimerOptions options) {
  return make_timeout(PollTimer(interval, std::move(options)));
}
PollTimer timeout(std::string_view interval, TimerOptions options) {
  return make_timeout(PollTimer(interval, std::move(options)));
}

}  // namespace tickwheel
