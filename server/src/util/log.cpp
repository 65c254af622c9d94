// JSON-line logger on spdlog: write() renders msg and fields as JSON members, spdlog filters by level and
// a JSON-lines formatter adds ts and level; one line per call on stdout, flushed.
#include "util/log.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <utility>

namespace doppel::log {
namespace {

spdlog::level::level_enum to_spdlog(level lvl) {
  switch (lvl) {
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view level_name(spdlog::level::level_enum lvl) {
  switch (lvl) {
    case spdlog::level::debug: return "debug";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    default: return "info";
  }
}

template <class Number>
void append_number(std::string& out, Number x, auto... format) {
  char buf[512];  // fixed notation needs at most 309 digits before the point, or 0. and 327 decimals after it
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, format...);
  if (ec == std::errc{}) out.append(buf, end);
  else out += "null";
}

// JSON text of v, as Boost.JSON writes it except that doubles are plain decimals (shortest digits that
// read back to the same double: 0.147971, not 1.47971E-1); NaN and infinities, which JSON lacks, as null.
void append_json(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      if (std::isfinite(v.get_double())) append_number(out, v.get_double(), std::chars_format::fixed);
      else out += "null";
      return;
    case boost::json::kind::int64: append_number(out, v.get_int64()); return;
    case boost::json::kind::uint64: append_number(out, v.get_uint64()); return;
    case boost::json::kind::array: {
      out += '[';
      const char* sep = "";
      for (const auto& e : v.get_array()) {
        out += std::exchange(sep, ",");
        append_json(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      const char* sep = "";
      for (const auto& kv : v.get_object()) {
        out += std::exchange(sep, ",");
        out += boost::json::serialize(kv.key());
        out += ':';
        append_json(out, kv.value());
      }
      out += '}';
      return;
    }
    default: out += boost::json::serialize(v); return;  // null, bool, string (escaped)
  }
}

// Formats a record whose payload is JSON object members ("msg":…, fields) as one line
// {"ts":"2026-12-03T08:54:21.123Z","level":"info",<payload>}.
class json_lines_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char head[96];
    const int n = std::snprintf(head, sizeof head, R"({"ts":"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ","level":"%s",)",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                static_cast<int>(ms), level_name(msg.level).data());
    dest.append(head, head + std::clamp(n, 0, static_cast<int>(sizeof head) - 1));
    dest.append(msg.payload.begin(), msg.payload.end());
    dest.push_back('}');
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_lines_formatter>(); }
};

// The process's logger, created on first use and never destroyed (threads may still log during exit).
spdlog::logger& logger() {
  static spdlog::logger* const instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    sink->set_formatter(std::make_unique<json_lines_formatter>());
    auto* l = new spdlog::logger("doppel", std::move(sink));
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *instance;
}

}  // namespace

void set_level(level lvl) { logger().set_level(to_spdlog(lvl)); }
bool enabled(level lvl) { return logger().should_log(to_spdlog(lvl)); }

void write(level lvl, std::string_view msg, const boost::json::object& fields) {
  if (!enabled(lvl)) return;
  // msg first, then the fields in their order; ts and level are the formatter's (fields of those names are dropped).
  boost::json::object members;
  members["msg"] = msg;
  for (const auto& kv : fields)
    if (kv.key() != "ts" && kv.key() != "level") members[kv.key()] = kv.value();
  std::string text;
  append_json(text, members);
  // The members without their braces, passed as the record's text (not as a format string).
  logger().log(spdlog::source_loc{}, to_spdlog(lvl), spdlog::string_view_t(text.data() + 1, text.size() - 2));
}

}  // namespace doppel::log
