// Structured logging on spdlog: one JSON object per line on stdout (ts, level, msg, fields). Never log secrets or issue text.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace doppel::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level lvl);
bool enabled(level lvl);
// Writes {"ts":…,"level":…,"msg":msg, fields in order} when lvl is enabled; numbers as plain decimals
// (0.147971, not 1.47971E-1); fields named ts or level are dropped (those are the logger's).
void write(level lvl, std::string_view msg, const boost::json::object& fields = {});

inline void debug(std::string_view msg, const boost::json::object& f = {}) { write(level::debug, msg, f); }
inline void info(std::string_view msg, const boost::json::object& f = {}) { write(level::info, msg, f); }
inline void warn(std::string_view msg, const boost::json::object& f = {}) { write(level::warn, msg, f); }
inline void error(std::string_view msg, const boost::json::object& f = {}) { write(level::error, msg, f); }

}  // namespace doppel::log
