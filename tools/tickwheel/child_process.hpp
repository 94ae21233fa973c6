// File: ChildProcess, a command started in a process group of its own, with
// a pidfd that becomes readable when it ends (so an epoll loop waits for it
// without SIGCHLD or polling) and, optionally, pipes from its stdout and
// stderr.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <system_error>
#include <vector>

#include "exit_status.hpp"
#include "unique_fd.hpp"

namespace tickwheel::cli {

class ProcessSignals;

/// Why a command could not be started. stage() tells whether the command
/// itself could not be executed (code() is execvp's errno, reported by the
/// child through a close-on-exec pipe) or tickwheel failed before it
/// (pipe, fork, pidfd_open).
class SpawnError : public std::system_error {
 public:
  enum class Stage { setup, exec };
  SpawnError(Stage stage, int err, const std::string& what)
      : std::system_error(err, std::system_category(), what), stage_(stage) {}
  [[nodiscard]] Stage stage() const noexcept { return stage_; }
  /// 127 for a command not found, 126 for one that could not be executed,
  /// 125 for a setup failure (timeout(1)'s convention).
  [[nodiscard]] int exit_status() const noexcept;

 private:
  Stage stage_;
};

/// A running (or ended, not yet reaped) child process that leads its own
/// process group.
///
/// Thread safety: one object is used by one thread.
///
/// Destruction of a child that was not reaped kills its process group and
/// reaps it, so an error path never leaves a command running unsupervised.
class ChildProcess {
 public:
  struct Options {
    /// Pipe the command's stdout and stderr to stdout_pipe()/stderr_pipe()
    /// (read ends, non-blocking); otherwise it inherits ours.
    bool capture_output = false;
    /// With capture_output: the command's stderr goes into the stdout pipe
    /// too (stderr_pipe() stays empty), keeping the order of the two.
    bool merge_output = false;
    /// The tool's signal set-up, undone in the child before exec.
    const ProcessSignals* signals = nullptr;
    /// Lead a process group of its own (so signal_group() reaches whatever
    /// it starts); otherwise stay in ours, e.g. to read from the terminal.
    bool own_group = true;
  };

  /// Starts `command` (argv[0] looked up in PATH). Throws SpawnError.
  [[nodiscard]] static ChildProcess start(const std::vector<std::string>& command,
                                          const Options& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// Readable once the child has ended.
  [[nodiscard]] int pidfd() const noexcept { return pidfd_.get(); }
  [[nodiscard]] UniqueFd& stdout_pipe() noexcept { return stdout_; }
  [[nodiscard]] UniqueFd& stderr_pipe() noexcept { return stderr_; }

  /// Sends `sig` to the child's process group (the child and whatever it
  /// started that stayed in the group), or to the child alone if it was
  /// started without a group of its own. False if nothing was there to get it.
  /// Until reap() the group id cannot be reused: the unreaped child holds it.
  bool signal_group(int sig) const noexcept;
  /// signal_group(sig), then CONT unless `sig` is KILL or CONT: a stopped
  /// command would otherwise not act on it until something continued it.
  bool deliver(int sig) const noexcept;

  /// How the child ended, if it has, without reaping it (the pid and group
  /// stay reserved for signal_group()). Never blocks.
  [[nodiscard]] std::optional<ChildStatus> ended() noexcept;

  /// Waits for the child to end if it has not, and reaps it.
  ChildStatus reap() noexcept;

 private:
  ChildProcess() = default;

  pid_t pid_ = -1;
  bool own_group_ = true;
  bool reaped_ = false;
  std::optional<ChildStatus> status_;
  UniqueFd pidfd_;
  UniqueFd stdout_;
  UniqueFd stderr_;
};

}  // namespace tickwheel::cli
