#include "run_command.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <signal.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_process.hpp"
#include "exit_status.hpp"
#include "format.hpp"
#include "output_sink.hpp"
#include "process_signals.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"
#include "tickwheel/epoll_park.hpp"
#include "tickwheel/idle_timer.hpp"
#include "tool_driver.hpp"

namespace tickwheel::cli {
namespace {

// True when our stdout and stderr lead to the same file (2>&1, one
// terminal): the command then gets one pipe for both, so that what it writes
// to each keeps its order in the one place.
bool same_destination() {
  struct stat out {};
  struct stat err {};
  return ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 &&
         out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

class RunSession {
 public:
  explicit RunSession(const RunOptions& options)
      : options_(options),
        // Output goes through tickwheel only when the idle limit must see it;
        // otherwise the command writes to our stdout and stderr itself, as
        // under timeout(1): a terminal stays a terminal to it.
        capture_(!options.idle_timeout.is_infinite()),
        signals_({SIGINT, SIGTERM, SIGHUP, SIGQUIT}),
        owned_park_(std::make_unique<EpollPark>()),
        park_(owned_park_.get()),
        driver_(ClockRef{}, std::move(owned_park_), tool_driver_options()),
        child_(ChildProcess::start(options.command, {.capture_output = capture_,
                                                     .merge_output = capture_ && same_destination(),
                                                     .signals = &signals_,
                                                     .own_group = !options.foreground})) {
    if (capture_) {
      stdout_.emplace(
          *park_, STDOUT_FILENO, [this] { on_progress(); }, [this] { resume(streams_[0]); });
      stderr_.emplace(
          *park_, STDERR_FILENO, [this] { on_progress(); }, [this] { resume(streams_[1]); });
    }
  }

  int run() {
    if (capture_) {
      streams_[0] = {&child_.stdout_pipe(), &*stdout_, {}};
      streams_[1] = {&child_.stderr_pipe(), &*stderr_, {}};
      for (Stream& s : streams_) {
        if (!*s.from) continue;  // stderr merged into stdout's pipe
        s.watch = park_->watch(s.from->get(), EPOLLIN, [this, &s](std::uint32_t) { forward(s); });
      }
    }
    child_watch_ = park_->watch(child_.pidfd(), EPOLLIN, [this](std::uint32_t) {
      if (child_.ended()) park_->unwatch(child_watch_);
    });
    signal_watch_ = park_->watch(signals_.fd(), EPOLLIN, [this](std::uint32_t) {
      while (const std::optional<int> sig = signals_.take()) pass_on(*sig);
    });

    const Handle handle = driver_.handle();
    if (!options_.timeout.is_infinite()) {
      overall_ = Delay::after(handle, options_.timeout.to_duration(),
                              [this] { limit_reached(Limit::overall); });
    }
    if (!options_.idle_timeout.is_infinite()) {
      idle_.emplace(handle, options_.idle_timeout, [this] { limit_reached(Limit::idle); });
      idle_->record_call();
    }

    while (!finished()) driver_.turn();
    if (limit_) take_what_is_left();

    park_->unwatch(signal_watch_);
    const ChildStatus status = child_.reap();
    if (!limit_ || options_.preserve_status) return shell_status(status);
    // timeout(1) ends with 128+9 when it had to send KILL.
    return killed_ ? exit_status::signal_base + SIGKILL : exit_status::timed_out;
  }

 private:
  enum class Limit { overall, idle };

  struct Stream {
    UniqueFd* from = nullptr;  // the pipe's read end; closed at EOF
    OutputSink* to = nullptr;  // our own stdout or stderr
    WatchId watch;             // `from`, watched for input unless `to` is full
  };

  // Done when the command has ended and, unless a limit stopped it, its
  // output is out: its pipes at EOF and nothing waiting for the reader of
  // ours. After a limit, whatever the command left running (perhaps in a
  // session of its own, out of the limit's reach) may hold the pipes as
  // long as it likes: the run is over when the command is.
  [[nodiscard]] bool finished() {
    if (!child_.ended()) return false;
    if (limit_) return true;
    for (const Stream& s : streams_) {
      if (s.to != nullptr && (*s.from || !s.to->drained())) return false;
    }
    return true;
  }

  // After a limit: what is already in the pipes, up to a bound (something
  // left running may write without end), then the pipes are closed.
  void take_what_is_left() {
    for (Stream& s : streams_) {
      for (std::size_t taken = 0; s.from != nullptr && *s.from && taken < leftover_limit;) {
        const ssize_t n = ::read(s.from->get(), buffer_.data(), buffer_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        (void)s.to->offer({buffer_.data(), static_cast<std::size_t>(n)});
        taken += static_cast<std::size_t>(n);
      }
    }
  }
  static constexpr std::size_t leftover_limit = 1 << 20;

  // The pipeline moves: bytes the command wrote earlier reached our reader.
  void on_progress() {
    if (idle_ && !limit_) (void)idle_->record_call();
  }

  // Our reader took everything: read from the command again.
  void resume(Stream& s) {
    if (s.from != nullptr && *s.from) (void)park_->modify(s.watch, EPOLLIN);
  }

  // One read per readiness: level-triggered epoll calls again while data is
  // left, and in between the driver gets to run timers that are due.
  void forward(Stream& s) {
    ssize_t n = 0;
    do {
      n = ::read(s.from->get(), buffer_.data(), buffer_.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    if (n > 0) {
      if (idle_) (void)idle_->record_call();
      switch (s.to->offer({buffer_.data(), static_cast<std::size_t>(n)})) {
        case OutputSink::Offer::written:
          return;
        case OutputSink::Offer::buffered:
          // Our reader is behind: leave the rest in the pipe, so the command
          // waits for it as it would writing there itself.
          (void)park_->modify(s.watch, 0);
          return;
        case OutputSink::Offer::gone:
          report_write_failure(*s.to);
          break;
      }
    }
    // EOF, a read error, or nowhere to write to: closing our end gives the
    // command EPIPE on its next write, as if it wrote to the closed sink.
    park_->unwatch(s.watch);
    s.from->reset();
  }

  // Output that could not be passed on is lost: say so once (a closed pipe,
  // EPIPE, is the reader's choice, not an error), as the command writing
  // there itself would have been told by its own write.
  void report_write_failure(const OutputSink& sink) {
    const int err = sink.failure();
    if (err == 0 || err == EPIPE || write_failure_reported_) return;
    write_failure_reported_ = true;
    write_all(STDERR_FILENO, std::string("tickwheel: cannot pass the command's output on: ") +
                                 std::strerror(err) + "\n");
  }

  // A command waiting for our reader is not idle, it is held up.
  [[nodiscard]] bool held_up_by_reader() const {
    return (stdout_ && !stdout_->drained()) || (stderr_ && !stderr_->drained());
  }

  // A signal sent to tickwheel goes to the command, and so does what a
  // limit sends: both wake a stopped command (CONT) and, with --kill-after,
  // end in KILL if the command outlives them, as with timeout(1).
  void pass_on(int sig) {
    if (child_.deliver(sig) && sig == SIGKILL) killed_ = true;
    if (options_.kill_after && !kill_) {
      kill_ = Delay::after(driver_.handle(), *options_.kill_after, [this] {
        if (!child_.ended() && child_.signal_group(SIGKILL)) killed_ = true;
      });
    }
  }

  void say(const std::string& message) {
    if (stderr_) {
      (void)stderr_->offer(message);  // in order with the command's output
    } else {
      write_all(STDERR_FILENO, message);
    }
  }

  void limit_reached(Limit which) {
    if (limit_ || finished()) return;
    if (which == Limit::idle && held_up_by_reader()) {
      (void)idle_->record_call();
      return;
    }
    limit_ = which;
    overall_.cancel();
    if (idle_) idle_->quit();
    if (!options_.quiet) {
      say(which == Limit::overall
              ? "tickwheel: timed out after " + format_short(options_.timeout.to_duration()) +
                    " (overall limit)\n"
              : "tickwheel: no output for " + format_short(options_.idle_timeout.to_duration()) +
                    " (idle limit)\n");
    }
    pass_on(options_.signal);
  }

  const RunOptions& options_;
  const bool capture_;
  ProcessSignals signals_;
  std::unique_ptr<EpollPark> owned_park_;  // until driver_ takes it
  EpollPark* park_;
  Driver driver_;
  ChildProcess child_;
  // After the driver: they unwatch their fds in the park it owns.
  std::optional<OutputSink> stdout_;
  std::optional<OutputSink> stderr_;
  std::array<Stream, 2> streams_{};
  WatchId child_watch_;
  WatchId signal_watch_;
  // The timers are declared after the driver: they go first.
  Delay overall_;
  Delay kill_;
  std::optional<IdleTimer> idle_;
  std::optional<Limit> limit_;
  bool killed_ = false;  // a KILL went to the command
  bool write_failure_reported_ = false;
  std::array<char, 64 * 1024> buffer_{};
};

}  // namespace

int run_command(const RunOptions& options) { return RunSession(options).run(); }

}  // namespace tickwheel::cli
