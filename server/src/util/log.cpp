// JSON-line logger: serialises with Boost.JSON (always valid, escaped) and writes whole lines under a lock.
#include "util/log.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace doppel::log {
namespace {

std::atomic<int> current_level{int(level::info)};
std::mutex write_mutex;

const char* level_name(level lvl) {
  switch (lvl) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

std::string timestamp_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
  return buf;
}

}  // namespace

void set_level(level lvl) { current_level.store(int(lvl)); }
bool enabled(level lvl) { return int(lvl) >= current_level.load(std::memory_order_relaxed); }

void write(level lvl, std::string_view msg, const boost::json::object& fields) {
  if (!enabled(lvl)) return;
  boost::json::object line;
  line["ts"] = timestamp_now();
  line["level"] = level_name(lvl);
  line["msg"] = msg;
  for (const auto& kv : fields) line[kv.key()] = kv.value();
  std::string text = boost::json::serialize(line);
  text += '\n';
  std::lock_guard lock(write_mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace doppel::log
