// File: ProcessSignals, the tool's process-wide signal set-up: the signals it
// passes on to its command arrive on a signalfd (so the driver's epoll loop
// sees them like any other ready descriptor, with no handler and no
// async-signal-safety to worry about), and SIGPIPE is ignored so that a closed
// stdout is an error to handle rather than a silent death.
#pragma once

#include <initializer_list>
#include <optional>
#include <signal.h>

#include "unique_fd.hpp"

namespace tickwheel::cli {

/// Blocks `signals` and reads them from a signalfd for the life of the
/// object; ignores SIGPIPE and gives SIGCHLD its default action (a parent that
/// ignores SIGCHLD would make the kernel reap our children before we read
/// their status). The destructor puts everything back.
///
/// A child must not inherit any of this: it calls restore_in_child() between
/// fork and exec.
///
/// Thread safety: one object per process, used by the thread that made it
/// (the tool has no other thread).
class ProcessSignals {
 public:
  /// Throws std::system_error if the signalfd cannot be made.
  explicit ProcessSignals(std::initializer_list<int> signals);
  ~ProcessSignals();
  ProcessSignals(const ProcessSignals&) = delete;
  ProcessSignals& operator=(const ProcessSignals&) = delete;

  /// Readable when a signal is pending (non-blocking).
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  /// Takes one pending signal; nullopt if none is pending.
  [[nodiscard]] std::optional<int> take() noexcept;

  /// Restores the signal mask and the SIGPIPE and SIGCHLD actions this
  /// process started with, and gives the signals read here their default
  /// action: they are passed on to the child, which must act on them even
  /// if they were ignored when tickwheel started (a command started with `&`
  /// from a script ignores INT and QUIT), as with timeout(1).
  /// Async-signal-safe: for the child after fork().
  void restore_in_child() const noexcept;

 private:
  sigset_t handled_{};
  sigset_t original_mask_{};
  struct sigaction original_pipe_ {};
  struct sigaction original_child_ {};
  UniqueFd fd_;
};

}  // namespace tickwheel::cli
