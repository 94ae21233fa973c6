#include "child_process.hpp"

#include <cerrno>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include "process_signals.hpp"

namespace tickwheel::cli {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2] = {-1, -1};
  // Close-on-exec on both ends: the child dup2()s the ends it needs onto 1
  // and 2 (which clears the flag there), and no other command we start
  // inherits a copy that would keep a pipe from reaching EOF.
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw SpawnError(SpawnError::Stage::setup, errno, "pipe");
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    throw SpawnError(SpawnError::Stage::setup, errno, "fcntl(O_NONBLOCK)");
  }
}

// The child's side of start(), from fork() to exec. Only async-signal-safe
// calls: the parent may have had other threads (the sanitizers' own).
[[noreturn]] void exec_child(char* const* argv, const Pipe* out, const Pipe* err, int report_fd,
                             const ChildProcess::Options& options) noexcept {
  if (options.own_group) ::setpgid(0, 0);
  if (out != nullptr) {
    // Without a pipe of its own, stderr shares stdout's: one stream, in the
    // order the command wrote it.
    const int err_fd = err != nullptr ? err->write.get() : out->write.get();
    if (::dup2(out->write.get(), STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) {
      const int e = errno;
      (void)!::write(report_fd, &e, sizeof e);
      ::_exit(exit_status::tool_failed);
    }
  }
  if (options.signals != nullptr) options.signals->restore_in_child();
  ::execvp(argv[0], argv);
  const int e = errno;
  (void)!::write(report_fd, &e, sizeof e);
  ::_exit(exit_status::not_found);
}

ChildStatus status_of(const siginfo_t& info) noexcept {
  if (info.si_code == CLD_EXITED) return {false, info.si_status};
  return {true, info.si_status};  // CLD_KILLED or CLD_DUMPED
}

}  // namespace

int SpawnError::exit_status() const noexcept {
  if (stage_ == Stage::setup) return exit_status::tool_failed;
  return code().value() == ENOENT ? exit_status::not_found : exit_status::not_executable;
}

ChildProcess ChildProcess::start(const std::vector<std::string>& command, const Options& options) {
  if (command.empty()) throw SpawnError(SpawnError::Stage::setup, EINVAL, "empty command");
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  std::optional<Pipe> out;
  std::optional<Pipe> err;
  if (options.capture_output) {
    out = make_pipe();
    if (!options.merge_output) err = make_pipe();
  }
  Pipe report = make_pipe();

  const pid_t pid = ::fork();
  if (pid < 0) throw SpawnError(SpawnError::Stage::setup, errno, "fork");
  if (pid == 0) {
    exec_child(argv.data(), out ? &*out : nullptr, err ? &*err : nullptr, report.write.get(),
               options);
  }

  ChildProcess child;
  child.pid_ = pid;
  child.own_group_ = options.own_group;
  // Also here, not only in the child: a signal sent before the child gets to
  // run must already reach its group. EACCES means it has exec'd, and so
  // already made its group.
  if (options.own_group) ::setpgid(pid, pid);
  report.write.reset();
  if (out) {
    out->write.reset();
    child.stdout_ = std::move(out->read);
  }
  if (err) {
    err->write.reset();
    child.stderr_ = std::move(err->read);
  }

  // EOF: exec succeeded and closed the pipe; an int: its errno.
  int exec_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report.read.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    child.reap();
    const int code = child.status_ ? child.status_->code : 0;
    throw SpawnError(
        code == exit_status::tool_failed ? SpawnError::Stage::setup : SpawnError::Stage::exec,
        exec_errno, "cannot run '" + command.front() + "'");
  }

  child.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd_)
    throw SpawnError(SpawnError::Stage::setup, errno, "pidfd_open");  // ~ChildProcess kills
  if (child.stdout_) set_nonblocking(child.stdout_.get());
  if (child.stderr_) set_nonblocking(child.stderr_.get());
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      own_group_(other.own_group_),
      reaped_(std::exchange(other.reaped_, true)),
      status_(other.status_),
      pidfd_(std::move(other.pidfd_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    signal_group(SIGKILL);
    reap();
  }
}

bool ChildProcess::deliver(int sig) const noexcept {
  const bool sent = signal_group(sig);
  if (sent && sig != SIGKILL && sig != SIGCONT) (void)signal_group(SIGCONT);
  return sent;
}

bool ChildProcess::signal_group(int sig) const noexcept {
  if (pid_ <= 0 || reaped_) return false;
  return ::kill(own_group_ ? -pid_ : pid_, sig) == 0;
}

std::optional<ChildStatus> ChildProcess::ended() noexcept {
  if (status_ || pid_ <= 0) return status_;
  siginfo_t info{};
  // WNOWAIT: the child stays a zombie, holding its pid and process group id.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == pid_) {
    status_ = status_of(info);
  }
  return status_;
}

ChildStatus ChildProcess::reap() noexcept {
  if (!reaped_ && pid_ > 0) {
    siginfo_t info{};
    int rc = 0;
    do {
      rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED);
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) status_ = status_of(info);
    reaped_ = true;
  }
  return status_.value_or(ChildStatus{});
}

}  // namespace tickwheel::cli
