// File: the umbrella header: everything public in tickwheel.
#pragma once

#include "tickwheel/chrono.hpp"
#include "tickwheel/clock.hpp"
#include "tickwheel/error.hpp"
#include "tickwheel/fwd.hpp"
#include "tickwheel/manual_clock.hpp"
#include "tickwheel/parse_duration.hpp"
#include "tickwheel/poll_timer.hpp"
#include "tickwheel/timer_wheel.hpp"
#include "tickwheel/version.hpp"
