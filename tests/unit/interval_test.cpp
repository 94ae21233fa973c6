#include "tickwheel/interval.hpp"

#include <gtest/gtest.h>
