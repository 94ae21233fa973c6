// File: `tickwheel run`, a command under an overall and an idle limit, its
// output passed through.
#pragma once

#include "args.hpp"

namespace tickwheel::cli {

/// Runs `options.command` to its end and returns the tool's exit status (see
/// exit_status.hpp): the command's own, or after a limit 124 (128+9 if it took
/// a KILL), unless --preserve-status.
///
/// One Driver on an EpollPark does all the waiting: the command's pidfd, a
/// signalfd (INT, TERM, HUP, QUIT are passed on to the command's process
/// group, followed by CONT and, with --kill-after, by KILL if it outlives
/// them) and, with --idle-timeout, its output pipes; the limits are a Delay
/// and an IdleTimer on the same driver.
///
/// Without --idle-timeout the command writes to our stdout and stderr itself
/// (a terminal stays one) and the run ends with it. With it, the output
/// comes through pipes (one for both when our stdout and stderr are the same
/// file, so their order holds) and the run ends once the command has ended
/// and its pipes are at EOF, so no output is lost, including that of
/// background processes it left holding them; after a limit it ends with the
/// command, taking only what is already in the pipes.
///
/// Output goes through OutputSinks: when tickwheel's own stdout or stderr is
/// a pipe or socket whose reader falls behind, the command's pipe is left
/// unread until the reader catches up (the command waits for it as it would
/// writing there itself, and is not idle meanwhile) while the driver keeps
/// running, so the limits fire even if the reader never reads again; output
/// the reader then never takes is dropped. If tickwheel's stdout or stderr is
/// closed, the matching pipe is closed too, so the command sees EPIPE as it
/// would have writing there itself.
///
/// With options.foreground the command stays in tickwheel's process group
/// (it may read from the terminal); the limits then signal it alone.
///
/// Throws SpawnError if the command cannot be started, std::system_error for
/// other failures of the system calls it makes.
[[nodiscard]] int run_command(const RunOptions& options);

}  // namespace tickwheel::cli
