// Injectable wall clock: production uses system_clock, tests pass a fixed or stepped time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace doppel {

using clock_fn = std::function<std::chrono::system_clock::time_point()>;

inline clock_fn system_clock_fn() {
  return [] { return std::chrono::system_clock::now(); };
}

inline std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace doppel
