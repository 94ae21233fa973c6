// File: OutputSink, one of tickwheel's own output streams as the event loop
// sees it: writes that never block the driver where the stream allows it, so
// the limits still fire while whatever reads tickwheel's output is slow.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tickwheel/epoll_park.hpp"

namespace tickwheel::cli {

/// Writes to `fd` (tickwheel's stdout or stderr) from the driver's thread.
///
/// A pipe or socket is switched to non-blocking for the sink's lifetime (its
/// flags are restored by the destructor): what it cannot take at once waits
/// in a buffer, the park watches the fd for room, and the caller stops
/// reading its source meanwhile (offer() says `buffered`), so memory stays
/// bounded by one read. A terminal or a regular file keeps blocking writes:
/// a regular file never makes a writer wait for a reader, and switching a
/// terminal shared with the shell to non-blocking would break the shell.
///
/// Thread safety: the driver's thread only.
class OutputSink {
 public:
  /// `on_progress`: bytes left the buffer (the pipeline moves);
  /// `on_drained`: the buffer is empty again (or the fd is gone).
  OutputSink(EpollPark& park, int fd, std::function<void()> on_progress,
             std::function<void()> on_drained);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  enum class Offer {
    written,   ///< all of it is out
    buffered,  ///< some waits for room: stop producing until on_drained
    gone,      ///< the fd refuses output (EPIPE and the like); dropped
  };
  Offer offer(std::string_view data);

  /// Nothing waits in the buffer.
  [[nodiscard]] bool drained() const noexcept { return pending_.empty(); }
  /// Why the fd refused output (an errno), once it has; 0 before.
  [[nodiscard]] int failure() const noexcept { return failure_; }

 private:
  void flush();
  // Writes as much of `data` as the fd takes now; -1 if it refuses output.
  [[nodiscard]] std::int64_t write_some(std::string_view data) const;

  EpollPark& park_;
  int fd_;
  std::function<void()> on_progress_;
  std::function<void()> on_drained_;
  std::string pending_;
  std::optional<WatchId> room_watch_;  // while pending_ waits for the fd
  bool gone_ = false;
  int failure_ = 0;
  int restore_flags_ = -1;  // the fd's flags before we made it non-blocking
};

}  // namespace tickwheel::cli
