#include "process_signals.hpp"

#include <cerrno>
#include <sys/signalfd.h>
#include <system_error>
#include <unistd.h>

namespace tickwheel::cli {

ProcessSignals::ProcessSignals(std::initializer_list<int> signals) {
  sigset_t& set = handled_;
  sigemptyset(&set);
  for (const int sig : signals) sigaddset(&set, sig);
  // Blocked before the signalfd exists, so that none is lost in between.
  if (::sigprocmask(SIG_BLOCK, &set, &original_mask_) != 0) {
    throw std::system_error(errno, std::system_category(), "sigprocmask");
  }
  fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_) {
    const int err = errno;
    ::sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
    throw std::system_error(err, std::system_category(), "signalfd");
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGPIPE, &ignore, &original_pipe_);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGCHLD, &dfl, &original_child_);
}

ProcessSignals::~ProcessSignals() {
  ::sigaction(SIGCHLD, &original_child_, nullptr);
  ::sigaction(SIGPIPE, &original_pipe_, nullptr);
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
}

std::optional<int> ProcessSignals::take() noexcept {
  signalfd_siginfo info{};
  ssize_t n = 0;
  do {
    n = ::read(fd_.get(), &info, sizeof info);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof info)) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

void ProcessSignals::restore_in_child() const noexcept {
  // The command starts as it would have without tickwheel in between.
  ::sigaction(SIGCHLD, &original_child_, nullptr);
  ::sigaction(SIGPIPE, &original_pipe_, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&handled_, sig) == 1) ::sigaction(sig, &dfl, nullptr);
  }
  ::sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
}

}  // namespace tickwheel::cli
