// File: `tickwheel run`, a command under an overall and an idle limit, its
// output passed through.
#pragma once

#include "args.hpp"

namespace tickwheel::cli {

/// Runs `options.command` to its end and returns the tool's exit status (see
/// exit_status.hpp): the command's own, or 124 if a limit was reached.
///
/// One Driver on an EpollPark does all the waiting: the command's stdout and
/// stderr pipes, its pidfd and a signalfd (INT, TERM, HUP, QUIT are passed on
/// to the command's process group) are watched descriptors, the limits are a
/// Delay and an IdleTimer on the same driver. The run is over when the command
/// has ended and both pipes are at EOF, so no output is lost, including that
/// of background processes it left holding the pipes (the limits still apply
/// to those).
///
/// Output goes through OutputSinks: when tickwheel's own stdout or stderr is
/// a pipe or socket whose reader falls behind, the command's pipe is left
/// unread until the reader catches up (the command waits for it as it would
/// writing there itself) while the driver keeps running, so the limits fire
/// even if the reader never reads again; output the reader then never takes
/// is dropped. Bytes the reader takes count as output for the idle limit. If
/// tickwheel's stdout or stderr is closed, the matching pipe is closed too,
/// so the command sees EPIPE as it would have writing there itself.
///
/// With options.foreground the command stays in tickwheel's process group
/// (it may read from the terminal); the limits then signal it alone, and once
/// it has ended after a limit the run is over even if what it started still
/// holds the pipes.
///
/// Throws SpawnError if the command cannot be started, std::system_error for
/// other failures of the system calls it makes.
[[nodiscard]] int run_command(const RunOptions& options);

}  // namespace tickwheel::cli
