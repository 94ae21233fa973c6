#include "run_command.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/epoll.h>
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

class RunSession {
 public:
  explicit RunSession(const RunOptions& options)
      : options_(options),
        signals_({SIGINT, SIGTERM, SIGHUP, SIGQUIT}),
        owned_park_(std::make_unique<EpollPark>()),
        park_(owned_park_.get()),
        driver_(ClockRef{}, std::move(owned_park_), tool_driver_options()),
        child_(ChildProcess::start(
            options.command,
            {.capture_output = true, .signals = &signals_, .own_group = !options.foreground})),
        stdout_(
            *park_, STDOUT_FILENO, [this] { on_progress(); }, [this] { resume(streams_[0]); }),
        stderr_(
            *park_, STDERR_FILENO, [this] { on_progress(); }, [this] { resume(streams_[1]); }) {}

  int run() {
    streams_[0] = {&child_.stdout_pipe(), &stdout_, {}};
    streams_[1] = {&child_.stderr_pipe(), &stderr_, {}};
    for (Stream& s : streams_) {
      s.watch = park_->watch(s.from->get(), EPOLLIN, [this, &s](std::uint32_t) { forward(s); });
    }
    child_watch_ = park_->watch(child_.pidfd(), EPOLLIN, [this](std::uint32_t) {
      if (child_.ended()) park_->unwatch(child_watch_);
    });
    signal_watch_ = park_->watch(signals_.fd(), EPOLLIN, [this](std::uint32_t) {
      while (const std::optional<int> sig = signals_.take()) child_.signal_group(*sig);
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

    park_->unwatch(signal_watch_);
    const ChildStatus status = child_.reap();
    return limit_ && !options_.preserve_status ? exit_status::timed_out : shell_status(status);
  }

 private:
  enum class Limit { overall, idle };

  struct Stream {
    UniqueFd* from;  // the pipe's read end; closed at EOF
    OutputSink* to;  // our own stdout or stderr
    WatchId watch;   // `from`, watched for input unless `to` is full
  };

  // Done when the command has ended and its output is out: both pipes at
  // EOF and nothing waiting for the reader of ours. After a limit, output
  // that waits for a reader who does not read is dropped.
  [[nodiscard]] bool finished() {
    if (!child_.ended()) return false;
    // In the foreground the limits reach the command alone: what it left
    // running may hold the pipes for as long as it likes.
    if (limit_ && options_.foreground) return true;
    for (const Stream& s : streams_) {
      const bool stuck = limit_ && !s.to->drained();
      if (!stuck && (*s.from || !s.to->drained())) return false;
    }
    return true;
  }

  // The pipeline moves: bytes the command wrote earlier reached our reader.
  void on_progress() {
    if (idle_ && !limit_) (void)idle_->record_call();
  }

  // Our reader took everything: read from the command again.
  void resume(Stream& s) {
    if (*s.from) (void)park_->modify(s.watch, EPOLLIN);
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
          break;
      }
    }
    // EOF, a read error, or nowhere to write to: closing our end gives the
    // command EPIPE on its next write, as if it wrote to the closed sink.
    park_->unwatch(s.watch);
    s.from->reset();
  }

  void limit_reached(Limit which) {
    if (limit_ || finished()) return;
    limit_ = which;
    overall_.cancel();
    if (idle_) idle_->quit();
    if (!options_.quiet) {
      const std::string message =
          which == Limit::overall
              ? "tickwheel: timed out after " + format_short(options_.timeout.to_duration()) +
                    " (overall limit)\n"
              : "tickwheel: no output for " + format_short(options_.idle_timeout.to_duration()) +
                    " (idle limit)\n";
      (void)stderr_.offer(message);
    }
    child_.signal_group(options_.signal);
    // A stopped process would not act on the signal until continued.
    if (options_.signal != SIGKILL && options_.signal != SIGCONT) child_.signal_group(SIGCONT);
    if (options_.kill_after) {
      kill_ = Delay::after(driver_.handle(), *options_.kill_after, [this] {
        if (!finished()) child_.signal_group(SIGKILL);
      });
    }
  }

  const RunOptions& options_;
  ProcessSignals signals_;
  std::unique_ptr<EpollPark> owned_park_;  // until driver_ takes it
  EpollPark* park_;
  Driver driver_;
  ChildProcess child_;
  // After the driver: they unwatch their fds in the park it owns.
  OutputSink stdout_;
  OutputSink stderr_;
  std::array<Stream, 2> streams_{};
  WatchId child_watch_;
  WatchId signal_watch_;
  // The timers are declared after the driver: they go first.
  Delay overall_;
  Delay kill_;
  std::optional<IdleTimer> idle_;
  std::optional<Limit> limit_;
  std::array<char, 64 * 1024> buffer_{};
};

}  // namespace

int run_command(const RunOptions& options) { return RunSession(options).run(); }

}  // namespace tickwheel::cli
