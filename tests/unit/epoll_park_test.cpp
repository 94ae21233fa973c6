#include "tickwheel/epoll_park.hpp"

#include <chrono>
#include <sys/epoll.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "tickwheel/delay.hpp"
#include "tickwheel/driver.hpp"

using namespace std::chrono_literals;
using tickwheel::EpollPark;

namespace {

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    for (const int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  void put(char c) const { ASSERT_EQ(::write(fds[1], &c, 1), 1); }
  char take() const {
    char c = 0;
    EXPECT_EQ(::read(fds[0], &c, 1), 1);
    return c;
  }
};

}  // namespace

TEST(EpollPark, ADeadlineInThePastDoesNotBlock) {
  EpollPark park;
  const auto start = std::chrono::steady_clock::now();
  park.park(start - 1s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(park.wakeups(), 0u);  // not a sleep
}

TEST(EpollPark, UnparkFromAnotherThreadEndsAnUnboundedPark) {
  EpollPark park;
  std::thread other([&] {
    std::this_thread::sleep_for(10ms);
    park.unpark();
  });
  park.park(std::nullopt);  // would sleep forever without the unpark
  other.join();
  EXPECT_EQ(park.wakeups(), 0u);
}

TEST(EpollPark, UnparkBeforeParkMakesTheNextParkReturn) {
  EpollPark park;
  park.unpark();
  park.park(std::nullopt);
  SUCCEED();
}

TEST(EpollPark, ReadinessRunsTheWatchCallbackInsidePark) {
  EpollPark park;
  Pipe p;
  std::vector<char> got;
  const auto id = park.watch(p.fds[0], EPOLLIN, [&](std::uint32_t events) {
    EXPECT_TRUE(events & EPOLLIN);
    got.push_back(p.take());
  });
  EXPECT_EQ(park.watch_count(), 1u);
  p.put('a');
  park.park(std::nullopt);
  EXPECT_EQ(got, (std::vector<char>{'a'}));
  EXPECT_EQ(park.wakeups(), 1u);  // an I/O wake-up
  EXPECT_TRUE(park.unwatch(id));
  EXPECT_FALSE(park.unwatch(id));
  p.put('b');
  park.park(std::chrono::steady_clock::now());  // non-blocking poll: nothing watched
  EXPECT_EQ(got.size(), 1u);
}

TEST(EpollPark, ACallbackMayUnwatchItselfAndOthers) {
  EpollPark park;
  Pipe a;
  Pipe b;
  int calls = 0;
  tickwheel::WatchId ida;
  tickwheel::WatchId idb;
  ida = park.watch(a.fds[0], EPOLLIN, [&](std::uint32_t) {
    ++calls;
    park.unwatch(ida);
    park.unwatch(idb);
  });
  idb = park.watch(b.fds[0], EPOLLIN, [&](std::uint32_t) {
    ++calls;
    park.unwatch(ida);
    park.unwatch(idb);
  });
  a.put('x');
  b.put('y');
  park.park(std::nullopt);
  EXPECT_EQ(calls, 1);  // whichever ran first removed the other's watch
  EXPECT_EQ(park.watch_count(), 0u);
}

TEST(EpollPark, BadDescriptorsAreReportedNotIgnored) {
  EpollPark park;
  std::error_code ec;
  const auto id = park.watch(
      -1, EPOLLIN, [](std::uint32_t) {}, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_EQ(id, tickwheel::WatchId{});
  EXPECT_THROW(park.watch(-1, EPOLLIN, [](std::uint32_t) {}), std::system_error);
  EXPECT_EQ(park.modify(tickwheel::WatchId{12345}, EPOLLIN), tickwheel::errc::not_found);
}

TEST(EpollPark, DrivesTimersAndIoInOneLoop) {
  auto owned = std::make_unique<EpollPark>();
  EpollPark& park = *owned;
  tickwheel::Driver driver(tickwheel::ClockRef{}, std::move(owned));
  Pipe p;
  std::vector<std::string> log;
  park.watch(p.fds[0], EPOLLIN,
             [&](std::uint32_t) { log.push_back(std::string("io:") + p.take()); });
  auto d = tickwheel::Delay::after(driver.handle(), 5ms, [&] { log.push_back("timer"); });
  p.put('z');
  while (log.size() < 2) driver.turn(1s);
  EXPECT_EQ(log, (std::vector<std::string>{"io:z", "timer"}));
}
