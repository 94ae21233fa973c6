#include "output_sink.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace tickwheel::cli {

OutputSink::OutputSink(EpollPark& park, int fd, std::function<void()> on_progress,
                       std::function<void()> on_drained)
    : park_(park),
      fd_(fd),
      on_progress_(std::move(on_progress)),
      on_drained_(std::move(on_drained)) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK) != 0) return;  // already non-blocking: not ours to undo
  if (::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) == 0) restore_flags_ = flags;
}

OutputSink::~OutputSink() {
  if (room_watch_) park_.unwatch(*room_watch_);
  // Anything still buffered was dropped by a limit (a run that ends by
  // itself waits until it is drained).
  if (restore_flags_ >= 0) (void)::fcntl(fd_, F_SETFL, restore_flags_);
}

std::int64_t OutputSink::write_some(std::string_view data) const {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN) {
      if (restore_flags_ >= 0) break;  // ours: the park tells us when there is room
      // Non-blocking already when handed to us: wait here, as a plain
      // writer would, rather than lose output.
      pollfd p{fd_, POLLOUT, 0};
      (void)::poll(&p, 1, -1);
    } else if (errno != EINTR) {
      return -1;
    }
  }
  return static_cast<std::int64_t>(done);
}

OutputSink::Offer OutputSink::offer(std::string_view data) {
  if (gone_) return Offer::gone;
  if (!pending_.empty()) {  // behind what already waits, to keep the order
    pending_.append(data);
    return Offer::buffered;
  }
  const std::int64_t n = write_some(data);
  if (n < 0) {
    gone_ = true;
    failure_ = errno;
    return Offer::gone;
  }
  if (static_cast<std::size_t>(n) == data.size()) return Offer::written;
  pending_.assign(data.substr(static_cast<std::size_t>(n)));
  room_watch_ = park_.watch(fd_, EPOLLOUT, [this](std::uint32_t) { flush(); });
  return Offer::buffered;
}

void OutputSink::flush() {
  const std::int64_t n = write_some(pending_);
  if (n < 0) {
    gone_ = true;
    failure_ = errno;
    pending_.clear();
  } else {
    pending_.erase(0, static_cast<std::size_t>(n));
    if (n > 0) on_progress_();
  }
  if (!pending_.empty()) return;
  park_.unwatch(*room_watch_);
  room_watch_.reset();
  on_drained_();
}

}  // namespace tickwheel::cli
