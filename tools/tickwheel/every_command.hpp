// File: `tickwheel every`, a command at every tick of an Interval, one run
// at a time, late ticks handled by a missed-tick policy.
#pragma once

#include "args.hpp"

namespace tickwheel::cli {

/// Runs `options.command` at every tick of an Interval with the chosen
/// missed-tick policy and returns the tool's exit status: with --count, the
/// last run's status (as `run` maps it); otherwise, after INT or TERM, the
/// status of the run that signal ended, or 128+N if none was going.
///
/// One run at a time: a tick is taken when the previous run has ended, so a
/// run longer than the interval makes the next tick late, and the policy
/// decides what follows (all: every missed tick runs, back to back; resync:
/// one late run, then the original grid; drift: one late run, and the grid
/// moves to it if it was later than the tolerance). The command inherits tickwheel's stdout and
/// stderr and runs in a process group of its own, which gets the INT or TERM
/// that tickwheel receives. One Driver on an EpollPark waits for everything:
/// the Interval's ticks, the running command's pidfd and a signalfd.
///
/// Throws SpawnError if a run cannot be started (its exit_status() is 126 or
/// 127 when the command itself cannot be executed): a command that is not
/// there will not appear by the next tick.
[[nodiscard]] int every_command(const EveryOptions& options);

}  // namespace tickwheel::cli
