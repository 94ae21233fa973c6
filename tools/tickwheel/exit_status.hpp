// File: the exit statuses of the tool, those of timeout(1) so scripts written
// for it keep working, and how a child's end becomes one.
#pragma once

namespace tickwheel::cli {

/// Statuses tickwheel itself chooses (any other is the command's own).
namespace exit_status {
inline constexpr int timed_out = 124;       ///< a limit of `run` was reached
inline constexpr int tool_failed = 125;     ///< bad arguments, a failed pipe/fork/...
inline constexpr int not_executable = 126;  ///< the command exists but exec failed
inline constexpr int not_found = 127;       ///< the command was not found
inline constexpr int signal_base = 128;     ///< + N: the command died of signal N
}  // namespace exit_status

/// How a child process ended.
struct ChildStatus {
  bool signaled = false;  ///< killed by a signal rather than exiting
  int code = 0;           ///< exit status, or the signal's number
};

/// The status a shell would report for `status`: the exit status, or 128+N.
[[nodiscard]] constexpr int shell_status(ChildStatus status) noexcept {
  return status.signaled ? exit_status::signal_base + status.code : status.code;
}

}  // namespace tickwheel::cli
