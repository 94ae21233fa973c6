// File: PollTimer, a timer that a polling loop checks (IPC::Run::Timer done in
// C++): it has no callback and no thread; the loop calls check() and learns
// how long is left, or that the timer just expired. A timeout is a PollTimer
// that throws TimeoutError when it expires.
//
//   tickwheel::PollTimer t = tickwheel::timer(5s);   // or timer("1:30"), timer("250ms")
//   t.start();
//   while (!t.is_expired() && !done) { poll_for(t.check().value()); ... }
//
// Never early: the end time is start + interval + fudge, where the fudge (by
// default the clock's resolution()) covers a start sampled just before the
// clock ticked. A zero interval gets no fudge.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/parse_duration.hpp"

namespace tickwheel {

/// The three states of a PollTimer.
enum class TimerState {
  reset,    ///< not started (or reset): check() returns no value
  running,  ///< started: check() returns the time left, or expires it
  expired,  ///< its end time was found passed, or expire() was called
};

/// "reset", "running" or "expired".
[[nodiscard]] std::string_view to_string(TimerState state) noexcept;

/// Thrown when a timeout (a PollTimer with an exception text) expires:
/// errc::timed_out. what() is the exception text followed by the timer's
/// name in brackets ("kablooey [stall]"), or the text alone when it already
/// names the timer (the default text does: "tickwheel: timeout on stall").
/// Thread safety: immutable after construction; copies share the strings.
class TimeoutError : public error_with_text {
 public:
  TimeoutError(std::string timer_name, std::string exception_text);
  /// The name of the timer that expired.
  [[nodiscard]] const std::string& timer_name() const noexcept { return strings_->first; }
  /// The timer's exception text, as given.
  [[nodiscard]] const std::string& text() const noexcept { return strings_->second; }

 private:
  // Shared: copying an exception must not throw.
  std::shared_ptr<const std::pair<std::string, std::string>> strings_;
};

/// Receives one line (no trailing newline) per state change of a timer whose
/// debug flag is on.
using DebugSink = std::function<void(std::string_view line)>;

/// What timer(), timeout() and the constructors accept; designated
/// initializers read well: `timer(5s, {.clock = manual, .name = "stall"})`.
/// A plain aggregate; its values are checked when a timer is built.
struct TimerOptions {
  /// The clock to read; the default is the real steady clock. It must outlive
  /// the timer.
  ClockRef clock{};
  /// Empty: "timer #N", N counting the timers the process has built, from 1.
  std::string name{};
  /// When set and not empty, the timer is a timeout: it throws TimeoutError
  /// with this text when it expires. timeout() uses default_timeout_text()
  /// if this is unset; an empty text means no exception, as for timer().
  std::optional<std::string> exception{};
  /// Report state changes to debug_sink.
  bool debug = false;
  /// Empty: write the lines to stderr (std::cerr).
  DebugSink debug_sink{};
  /// Added to every non-zero interval; empty: clock.resolution(). Must be >= 0.
  std::optional<duration> fudge{};
};

/// The exception text of a timeout() built without one:
/// "tickwheel: timeout on <timer name>".
[[nodiscard]] std::string default_timeout_text(std::string_view timer_name);

/// A timer (or timeout) checked by a polling loop; the seed's rules, in full:
///
///  - Three states: reset -> start() -> running -> check()/expire() -> expired;
///    reset() returns to reset from any state, start() (re)starts from any.
///  - start() always sets the start time (to the clock's now or the given
///    `now`) and the state to running. It sets the end time from the interval
///    (start + interval + fudge) unless the timer is reset and an end time was
///    already set with set_end_time(), which it then keeps. start(interval)
///    first makes `interval` the interval and always uses it. Without an
///    interval it reuses the last one; with neither an interval nor (on a
///    reset timer) an end time it throws error(errc::invalid_argument) and
///    changes nothing.
///  - check() on a timer that is not running (reset or expired) returns no
///    value: std::nullopt, which is not zero. On a running timer it returns
///    the time left (> 0) while the end time is in the future; the check that
///    finds it reached expires the timer and returns zero, or for a timeout
///    throws TimeoutError (after the state has become expired).
///  - expire() makes the timer expired from any state, even reset; a timeout
///    throws TimeoutError unless it was already expired.
///  - set_interval() while running moves the end time to start + interval +
///    fudge (which may be past: the next check expires it); otherwise it only
///    records the interval. Unlike a remark in the seed's overview, it never
///    resets the timer: use start(interval) to restart with a new interval,
///    or reset().
///  - set_end_time() while running sets the expiry; on a reset timer it is
///    kept for the next start() without interval; on an expired timer it has
///    no effect (end_time() keeps reporting when it expired).
///  - Infinite intervals never expire: the end time is time_point::max(),
///    which always means "never" (also when a huge finite interval saturates
///    there), and check() returns duration::max() while running.
///
/// Intervals are std::chrono durations, TimeValues, or strings read by
/// parse_duration ("5", "1:30", "250ms", "inf"; ParseError if malformed).
/// Negative intervals are rejected with error(errc::invalid_argument): a
/// timer cannot end before it starts. (The seed accepts them and expires such
/// a timer at the next check; a negative interval is much more likely a bug.)
///
/// Thread safety: a plain value, like a std::string: one thread at a time may
/// use a timer; distinct timers are independent. Copies are independent
/// timers with the same name. The clock must outlive the timer.
/// Complexity: every operation is O(1) apart from building names and debug
/// lines. Debug output is produced only while debug() is on.
class PollTimer {
 public:
  /// A reset timer without an interval (set one before start()).
  explicit PollTimer(TimerOptions options = {});
  /// A reset timer with `interval`.
  explicit PollTimer(TimeValue interval, TimerOptions options = {});
  /// A reset timer with parse_duration(interval).
  explicit PollTimer(std::string_view interval, TimerOptions options = {});

  [[nodiscard]] TimerState state() const noexcept { return state_; }
  /// Sets the state alone, to carry a state saved with state() over: no
  /// exception is thrown (even when setting expired on a timeout) and no time
  /// changes. Prefer start(), expire() and reset(). errc::invalid_argument
  /// (nothing changed) for running without an end time.
  void set_state(TimerState state);
  [[nodiscard]] bool is_reset() const noexcept { return state_ == TimerState::reset; }
  [[nodiscard]] bool is_running() const noexcept { return state_ == TimerState::running; }
  [[nodiscard]] bool is_expired() const noexcept { return state_ == TimerState::expired; }

  /// Starts or restarts (see the class comment for the end-time rules).
  void start();
  void start(time_point now);
  void start(TimeValue interval);
  void start(TimeValue interval, time_point now);
  void start(std::string_view interval);
  void start(std::string_view interval, time_point now);

  /// No value unless running; else the time left, or zero from the check that
  /// expires it (a timeout throws TimeoutError instead).
  std::optional<duration> check();
  std::optional<duration> check(time_point now);

  /// To expired from any state; throws TimeoutError for a timeout that was
  /// not already expired.
  void expire();
  /// To reset; clears the start and end times, keeps the interval.
  void reset();

  /// The interval last set; no value if none ever was.
  [[nodiscard]] std::optional<TimeValue> interval() const noexcept { return interval_; }
  void set_interval(TimeValue interval);
  void set_interval(std::string_view interval);

  /// When the timer will or did expire; no value on a reset timer without one.
  /// time_point::max() means never. A past end time does not make the timer
  /// expired by itself: check() does.
  [[nodiscard]] std::optional<time_point> end_time() const noexcept { return end_; }
  void set_end_time(time_point end);
  /// When it was last started; no value while reset.
  [[nodiscard]] std::optional<time_point> start_time() const noexcept { return start_; }
  /// Sets the start time alone (the end time stays; set_interval() computes
  /// a new one from it while running). Prefer start(now).
  void set_start_time(time_point start) noexcept { start_ = start; }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// The text a timeout throws; no value (or an empty text) for a plain timer.
  [[nodiscard]] const std::optional<std::string>& exception() const noexcept { return exception_; }
  void set_exception(std::optional<std::string> text) { exception_ = std::move(text); }
  [[nodiscard]] bool is_timeout() const noexcept { return exception_ && !exception_->empty(); }

  [[nodiscard]] bool debug() const noexcept { return debug_; }
  void set_debug(bool on) noexcept { debug_ = on; }
  /// An empty sink restores stderr.
  void set_debug_sink(DebugSink sink) { sink_ = std::move(sink); }

  /// Added to non-zero intervals when an end time is computed.
  [[nodiscard]] duration fudge() const noexcept { return fudge_; }
  /// Applies to end times computed from now on; errc::invalid_argument if < 0.
  void set_fudge(duration fudge);

  [[nodiscard]] ClockRef clock() const noexcept { return clock_; }

 private:
  TimeValue checked(TimeValue interval) const;
  [[nodiscard]] time_point end_for(time_point start, TimeValue interval) const noexcept;
  void log(std::string_view what) const;  // callers test debug_ first: no strings otherwise

  ClockRef clock_;
  duration fudge_;
  std::string name_;
  std::optional<std::string> exception_;
  std::optional<TimeValue> interval_;
  std::optional<time_point> start_;
  std::optional<time_point> end_;
  TimerState state_ = TimerState::reset;
  bool debug_ = false;
  DebugSink sink_;
};

/// A reset timer (the seed's timer()): `timer(5s)`, `timer("1:30", {.name =
/// "stall", .debug = true})`, `timer()` then set_interval().
[[nodiscard]] PollTimer timer(TimerOptions options = {});
[[nodiscard]] PollTimer timer(TimeValue interval, TimerOptions options = {});
[[nodiscard]] PollTimer timer(std::string_view interval, TimerOptions options = {});

/// A reset timeout: a timer that throws TimeoutError on expiry, with
/// options.exception or, if that is unset, default_timeout_text(name).
[[nodiscard]] PollTimer timeout(TimerOptions options = {});
[[nodiscard]] PollTimer timeout(TimeValue interval, TimerOptions options = {});
[[nodiscard]] PollTimer timeout(std::string_view interval, TimerOptions options = {});

}  // namespace tickwheel
