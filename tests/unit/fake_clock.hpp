// A settable clock for cache tests: clock_fn reads `now`, which the test moves forward.
#pragma once

#include "util/clock.hpp"

#include <chrono>

namespace doppel::test {

struct fake_clock {
  std::chrono::system_clock::time_point now{std::chrono::seconds(1'800'000'000)};
  clock_fn fn() {
    return [this] { return now; };
  }
};

}  // namespace doppel::test
