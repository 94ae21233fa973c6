// End-to-end tests of the tickwheel executable: real processes and real time,
// so bounds are generous and each test stays well under two seconds.
#include <array>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <poll.h>
#include <regex>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/version.hpp"

extern char** environ;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Outcome {
  int status = -1;  // exit status, or 128+N for a death by signal N
  std::string out;
  std::string err;
  Clock::duration elapsed{};
};

// Sends `signal` to the tool `after` it started.
struct SignalLater {
  Clock::duration after;
  int signal;
};

// The tool started with `args`, its stdout and stderr on pipes whose read
// ends the test keeps (and closes at the end, unless it took them).
class ToolProcess {
 public:
  explicit ToolProcess(const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    std::string program = TICKWHEEL_TOOL;
    std::vector<std::string> copy = args;
    std::vector<char*> argv{program.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    const int rc = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "posix_spawn";
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~ToolProcess() {
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] int out() const { return out_; }
  [[nodiscard]] int err() const { return err_; }
  /// Hands both read ends over to the caller, who closes them.
  void release() { out_ = err_ = -1; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// Runs the tool with `args`, collecting its stdout and stderr.
Outcome tickwheel(const std::vector<std::string>& args,
                  std::optional<SignalLater> signal_later = std::nullopt) {
  const Clock::time_point start = Clock::now();
  ToolProcess tool(args);
  const pid_t pid = tool.pid();
  Outcome o;
  if (pid < 0) return o;

  std::array<pollfd, 2> fds{{{tool.out(), POLLIN, 0}, {tool.err(), POLLIN, 0}}};
  tool.release();  // closed below, each at its EOF
  std::array<std::string*, 2> sinks{&o.out, &o.err};
  int open = 2;
  while (open > 0) {
    int timeout_ms = -1;
    if (signal_later) {
      const auto left = signal_later->after - (Clock::now() - start);
      timeout_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
      if (timeout_ms == 0) {
        ::kill(pid, signal_later->signal);
        signal_later.reset();
        continue;
      }
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  o.elapsed = Clock::now() - start;
  o.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return o;
}

// A fresh, empty directory for one test's files, removed with what is in it.
class ScratchDir {
 public:
  ScratchDir() : path_(::testing::TempDir() + "tickwheel_tool_XXXXXX") {
    EXPECT_NE(::mkdtemp(path_.data()), nullptr);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The exit status of `pid` if it ends within `limit`; otherwise kills it.
std::optional<int> exit_within(pid_t pid, Clock::duration limit) {
  const Clock::time_point give_up = Clock::now() + limit;
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, WNOHANG) == 0) {
    if (Clock::now() > give_up) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      return std::nullopt;
    }
    ::usleep(5000);
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

// Reads `fd` to EOF, `chunk` bytes at a time with `pause` between reads.
std::string read_slowly(int fd, std::size_t chunk, std::chrono::microseconds pause) {
  std::string all;
  std::vector<char> buf(chunk);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    all.append(buf.data(), static_cast<std::size_t>(n));
    ::usleep(static_cast<useconds_t>(pause.count()));
  }
  return all;
}

}  // namespace

TEST(ToolRun, PassesTheExitStatusThrough) {
  EXPECT_EQ(tickwheel({"run", "--", "sh", "-c", "exit 3"}).status, 3);
  EXPECT_EQ(tickwheel({"run", "--timeout", "10s", "--", "true"}).status, 0);
}

TEST(ToolRun, PassesOutputThroughByteForByte) {
  const Outcome o =
      tickwheel({"run", "--", "sh", "-c", "printf 'a\\000b\\nc'; printf 'to err' >&2"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, std::string("a\0b\nc", 5));  // no newline added at the end
  EXPECT_EQ(o.err, "to err");
}

TEST(ToolRun, LosesNothingOfALargeOutputWrittenJustBeforeExit) {
  const Outcome o =
      tickwheel({"run", "--idle-timeout", "5s", "--", "head", "-c", "300000", "/dev/zero"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, std::string(300000, '\0'));
}

TEST(ToolRun, ReportsADeathBySignalAs128PlusN) {
  EXPECT_EQ(tickwheel({"run", "--", "sh", "-c", "kill -9 $$"}).status, 137);
}

TEST(ToolRun, OverallTimeoutStopsTheCommandWith124) {
  const Outcome o = tickwheel({"run", "--timeout", "300ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_GE(o.elapsed, 300ms);
  EXPECT_LT(o.elapsed, 2s);
  EXPECT_EQ(o.err, "tickwheel: timed out after 300ms (overall limit)\n");
}

TEST(ToolRun, QuietPrintsNothingOfItsOwn) {
  const Outcome o = tickwheel({"run", "--quiet", "--timeout", "100ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_EQ(o.err, "");
}

TEST(ToolRun, IdleTimeoutFiresWhenOutputStops) {
  const Outcome o =
      tickwheel({"run", "--idle-timeout", "300ms", "--", "sh", "-c", "echo a; sleep 10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_EQ(o.out, "a\n");
  EXPECT_EQ(o.err, "tickwheel: no output for 300ms (idle limit)\n");
  EXPECT_GE(o.elapsed, 300ms);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, IdleTimeoutDoesNotFireWhileOutputKeepsComing) {
  // A line every 50 ms for about 600 ms, on stdout and stderr in turn.
  const Outcome o = tickwheel({"run", "--idle-timeout", "300ms", "--", "sh", "-c",
                               "for i in 1 2 3 4 5 6; do echo $i; sleep 0.05; echo $i >&2; "
                               "sleep 0.05; done"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "1\n2\n3\n4\n5\n6\n");
  EXPECT_EQ(o.err, "1\n2\n3\n4\n5\n6\n");
  EXPECT_GE(o.elapsed, 550ms);
}

TEST(ToolRun, KillAfterEscalatesToKillForACommandThatIgnoresTerm) {
  const Outcome o = tickwheel({"run", "--timeout", "200ms", "--kill-after", "300ms", "--", "sh",
                               "-c", "trap '' TERM; sleep 10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_GE(o.elapsed, 500ms);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, SignalChoosesWhatTheLimitSends) {
  const Outcome o = tickwheel({"run", "--timeout", "200ms", "--signal", "KILL", "--", "sh", "-c",
                               "trap '' TERM; sleep 10"});
  EXPECT_EQ(o.status, 124);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, PassesTermOnToTheCommandAndReportsItsEnd) {
  const Outcome o = tickwheel({"run", "--", "sleep", "10"}, SignalLater{300ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, MissingCommandIs127) {
  const Outcome o = tickwheel({"run", "--", "tickwheel-no-such-command"});
  EXPECT_EQ(o.status, 127);
  EXPECT_NE(o.err.find("tickwheel-no-such-command"), std::string::npos) << o.err;
}

TEST(ToolRun, NonExecutableFileIs126) {
  const ScratchDir dir;
  const std::string file = dir.path() + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\n";
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const Outcome o = tickwheel({"run", "--", file});
  EXPECT_EQ(o.status, 126);
  EXPECT_NE(o.err.find("Permission denied"), std::string::npos) << o.err;
}

TEST(ToolRun, MalformedOrNegativeDurationsAre125AndNameTheOption) {
  Outcome o = tickwheel({"run", "--idle-timeout", "5 parsecs", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_NE(o.err.find("--idle-timeout '5 parsecs'"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("usage: tickwheel run"), std::string::npos) << o.err;
  o = tickwheel({"run", "--timeout=-1", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_NE(o.err.find("--timeout '-1': must not be negative"), std::string::npos) << o.err;
}

TEST(Tool, UnknownOptionPrintsUsageAndExits125) {
  const Outcome o = tickwheel({"run", "--frobnicate", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("unknown option '--frobnicate'"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("usage: tickwheel run"), std::string::npos) << o.err;
  EXPECT_EQ(tickwheel({"--frobnicate"}).status, 125);
}

TEST(Tool, HelpAndVersion) {
  Outcome o = tickwheel({"--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("usage: tickwheel run"), std::string::npos);
  EXPECT_NE(o.out.find("tickwheel every DUR"), std::string::npos);
  o = tickwheel({"run", "--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("--idle-timeout DUR"), std::string::npos);
  o = tickwheel({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "tickwheel " TICKWHEEL_VERSION "\n");
}

TEST(ToolEvery, RunsCountTimesOneIntervalApart) {
  const ScratchDir dir;
  const std::string log = dir.path() + "/runs";
  const Outcome o =
      tickwheel({"every", "100ms", "--count", "3", "--", "sh", "-c", "echo run >> " + log});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(lines_of(log).size(), 3u);
  EXPECT_GE(o.elapsed, 300ms);  // the first run is one interval after start
  EXPECT_LT(o.elapsed, 1500ms);
}

TEST(ToolEvery, ReportPrintsOneLinePerTickWithItsDrift) {
  const Outcome o = tickwheel({"every", "100ms", "--count", "3", "--report", "--", "true"});
  EXPECT_EQ(o.status, 0);
  const std::regex line(R"(tickwheel: tick ([0-9]+) at \+0\.([0-9])00s drift [0-9]+\.[0-9]ms)");
  std::istringstream in(o.err);
  int n = 0;
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(text, m, line)) << text;
    ++n;
    EXPECT_EQ(m[1], std::to_string(n));
    EXPECT_EQ(m[2], std::to_string(n));  // tick n is scheduled n intervals after start
  }
  EXPECT_EQ(n, 3);
}

TEST(ToolEvery, NeverOverlapsRunsAndReportsTheSkippedTicks) {
  const ScratchDir scratch;
  const std::string& dir = scratch.path();
  // mkdir is atomic: a second run while one holds the lock would log "overlap".
  const std::string script = "mkdir " + dir + "/lock || echo overlap >> " + dir +
                             "/log; sleep 0.15; rmdir " + dir + "/lock; echo run >> " + dir +
                             "/log";
  const Outcome o =
      tickwheel({"every", "50ms", "--now", "--count", "3", "--report", "--", "sh", "-c", script});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(lines_of(dir + "/log"), (std::vector<std::string>{"run", "run", "run"}));
  EXPECT_NE(o.err.find("skipped (previous run still going)"), std::string::npos) << o.err;
  EXPECT_GE(o.elapsed, 450ms);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolEvery, ExitsWithTheLastRunsStatus) {
  EXPECT_EQ(
      tickwheel({"every", "50ms", "--now", "--count", "2", "--", "sh", "-c", "exit 5"}).status, 5);
}

TEST(ToolEvery, TermIsPassedToTheRunningCommand) {
  const Outcome o =
      tickwheel({"every", "1s", "--now", "--", "sleep", "10"}, SignalLater{300ms, SIGTERM});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolEvery, TermBetweenRunsEndsAt128PlusN) {
  const Outcome o = tickwheel({"every", "10s", "--", "true"}, SignalLater{200ms, SIGINT});
  EXPECT_EQ(o.status, 128 + SIGINT);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolEvery, AMissingCommandStopsAt127) {
  const Outcome o = tickwheel({"every", "50ms", "--now", "--", "tickwheel-no-such-command"});
  EXPECT_EQ(o.status, 127);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, LimitsFireWhileTheReaderOfItsOutputReadsNothing) {
  const Clock::time_point start = Clock::now();
  const ToolProcess tool({"run", "--timeout", "500ms", "--", "yes"});  // nobody reads out()
  const std::optional<int> status = exit_within(tool.pid(), 10s);
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(status.has_value()) << "tickwheel blocked on its full stdout";
  EXPECT_EQ(*status, 124);
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(read_slowly(tool.err(), 4096, 0us),
            "tickwheel: timed out after 500ms (overall limit)\n");
}

TEST(ToolRun, ASlowReaderGetsEveryByteWithoutTrippingTheIdleLimit) {
  // 1 MB written at once, read 64 KiB every 40 ms (about 0.6 s): the command
  // waits on the reader far longer than the idle limit, but output moves.
  const ToolProcess tool(
      {"run", "--idle-timeout", "300ms", "--", "head", "-c", "1000000", "/dev/zero"});
  const std::string got = read_slowly(tool.out(), 65536, 40ms);
  const std::optional<int> status = exit_within(tool.pid(), 10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_EQ(got.size(), 1000000u);
  EXPECT_EQ(got.find_first_not_of('\0'), std::string::npos);
  EXPECT_EQ(read_slowly(tool.err(), 4096, 0us), "");
}

// Field 5 of /proc/<pid>/stat is the process group; the shell prints its own
// and its parent's (tickwheel's).
constexpr const char* print_groups = "cut -d' ' -f5 /proc/$$/stat; cut -d' ' -f5 /proc/$PPID/stat";

TEST(ToolRun, TheCommandLeadsAProcessGroupOfItsOwn) {
  const Outcome o = tickwheel({"run", "--", "sh", "-c", print_groups});
  ASSERT_EQ(o.status, 0);
  std::istringstream lines(o.out);
  std::string command_group;
  std::string tool_group;
  lines >> command_group >> tool_group;
  EXPECT_FALSE(command_group.empty());
  EXPECT_NE(command_group, tool_group);
}

TEST(ToolRun, ForegroundLeavesTheCommandInTheToolsProcessGroupAndStillTimesItOut) {
  const Outcome o = tickwheel({"run", "--foreground", "--", "sh", "-c", print_groups});
  ASSERT_EQ(o.status, 0);
  std::istringstream lines(o.out);
  std::string command_group;
  std::string tool_group;
  lines >> command_group >> tool_group;
  EXPECT_FALSE(command_group.empty());
  EXPECT_EQ(command_group, tool_group);

  const Outcome limited =
      tickwheel({"run", "--foreground", "--timeout", "300ms", "--", "sleep", "10"});
  EXPECT_EQ(limited.status, 124);
  EXPECT_GE(limited.elapsed, 300ms);
  EXPECT_LT(limited.elapsed, 2s);
}

TEST(ToolRun, ForegroundDoesNotWaitForWhatTheCommandLeftRunning) {
  // The shell ends at TERM; the sleep it started keeps the pipes open, and
  // in the foreground the limit does not reach it.
  const Outcome o =
      tickwheel({"run", "--foreground", "--timeout", "300ms", "--", "sh", "-c", "sleep 3 & wait"});
  EXPECT_EQ(o.status, 124);
  EXPECT_LT(o.elapsed, 2s);
}

TEST(ToolRun, PreserveStatusExitsWithTheCommandsOwnStatusAfterALimit) {
  const Outcome o =
      tickwheel({"run", "--preserve-status", "--timeout", "200ms", "--", "sleep", "10"});
  EXPECT_EQ(o.status, 128 + SIGTERM);
  EXPECT_EQ(o.err, "tickwheel: timed out after 200ms (overall limit)\n");
  const Outcome trapped = tickwheel({"run", "--preserve-status", "--timeout", "200ms", "--", "sh",
                                     "-c", "trap 'exit 7' TERM; sleep 10 & wait"});
  EXPECT_EQ(trapped.status, 7);
}
