// Helpers shared by the auth unit tests: file reading, fixed clocks, conformance file locations.
#pragma once

#include "util/clock.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace doppel::test {

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline boost::json::value read_json_file(const std::string& path) { return boost::json::parse(read_text_file(path)); }

inline std::string shared_path(const std::string& rel) { return std::string(DOPPEL_SHARED_DIR) + "/" + rel; }

inline std::chrono::system_clock::time_point at_unix(std::int64_t secs) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

inline clock_fn fixed_clock(std::int64_t secs) {
  return [secs] { return at_unix(secs); };
}

}  // namespace doppel::test
