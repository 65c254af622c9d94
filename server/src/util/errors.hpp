// Infrastructure failure types caught once at the request boundary (503 vs 500).
#pragma once

#include <stdexcept>
#include <string>

namespace doppel {

// A dependency (the database, a key server) is unreachable right now; callers should retry later.
struct unavailable_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace doppel
