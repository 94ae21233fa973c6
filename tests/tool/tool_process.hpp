// The harness of the tickwheel executable's end-to-end tests: spawns the tool
// on pipes, collects its output and status, and gives each test a scratch
// directory. Real processes and real time: tests keep their bounds generous.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace tickwheel_tool_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

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
  /// `merged`: stdout and stderr on one pipe, as `2>&1` does (err() is -1).
  explicit ToolProcess(const std::vector<std::string>& args, bool merged = false) {
    int out[2];
    int err[2] = {-1, -1};
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    if (!merged) {
      EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    }
    std::string program = TICKWHEEL_TOOL;
    std::vector<std::string> copy = args;
    std::vector<char*> argv{program.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, merged ? out[1] : err[1], STDERR_FILENO);
    const int rc = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "posix_spawn";
    ::close(out[1]);
    if (err[1] >= 0) ::close(err[1]);
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

// Runs the tool with `args`, collecting its stdout and stderr (with `merged`,
// both in `out`, as `2>&1` gives them).
inline Outcome tickwheel(const std::vector<std::string>& args,
                         std::optional<SignalLater> signal_later = std::nullopt,
                         bool merged = false) {
  const Clock::time_point start = Clock::now();
  ToolProcess tool(args, merged);
  const pid_t pid = tool.pid();
  Outcome o;
  if (pid < 0) return o;

  std::array<pollfd, 2> fds{{{tool.out(), POLLIN, 0}, {tool.err(), POLLIN, 0}}};
  tool.release();  // closed below, each at its EOF
  std::array<std::string*, 2> sinks{&o.out, &o.err};
  int open = merged ? 1 : 2;
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

inline std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The exit status of `pid` if it ends within `limit`; otherwise kills it.
inline std::optional<int> exit_within(pid_t pid, Clock::duration limit) {
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
inline std::string read_slowly(int fd, std::size_t chunk, std::chrono::microseconds pause) {
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

}  // namespace tickwheel_tool_test
