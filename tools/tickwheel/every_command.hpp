// File: `tickwheel every`, a command at every tick of an Interval, never two
// runs at once.
#pragma once

#include "args.hpp"

namespace tickwheel::cli {

/// Runs `options.command` at every tick of an Interval with the chosen
/// missed-tick policy and returns the tool's exit status: with --count, the
/// last run's status (as `run` maps it); otherwise, after INT or TERM, the
/// status of the run that signal ended, or 128+N if none was going.
///
/// A tick that comes while the previous run is still going is skipped (and
/// reported with --report). The command inherits tickwheel's stdout and
/// stderr and runs in a process group of its own, which gets the INT or TERM
/// that tickwheel receives. One Driver on an EpollPark waits for everything:
/// the Interval's ticks, the running command's pidfd and a signalfd.
///
/// Throws SpawnError if a run cannot be started (its exit_status() is 126 or
/// 127 when the command itself cannot be executed): a command that is not
/// there will not appear by the next tick.
[[nodiscard]] int every_command(const EveryOptions& options);

}  // namespace tickwheel::cli
