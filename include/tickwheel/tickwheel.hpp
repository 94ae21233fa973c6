// File: the umbrella header: everything public in tickwheel.
#pragma once

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/delay.hpp"
#include "tickwheel/delay_queue.hpp"
#include "tickwheel/driver.hpp"
#ifdef __linux__
#include "tickwheel/epoll_park.hpp"
#endif
#include "tickwheel/error.hpp"
#include "tickwheel/fwd.hpp"
#include "tickwheel/idle_timer.hpp"
#include "tickwheel/interval.hpp"
#include "tickwheel/manual_clock.hpp"
#include "tickwheel/missed_tick_policy.hpp"
#include "tickwheel/park.hpp"
#include "tickwheel/parse_duration.hpp"
#include "tickwheel/poll_timer.hpp"
#include "tickwheel/result.hpp"
#include "tickwheel/sleep.hpp"
#include "tickwheel/throttle.hpp"
#include "tickwheel/timeout.hpp"
#include "tickwheel/timer_wheel.hpp"
#include "tickwheel/version.hpp"
