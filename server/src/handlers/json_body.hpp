// Small helpers for reading JSON request bodies with clear 400s.
#pragma once

#include "util/result.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace doppel::handlers {

// Parses an object body; errc::bad_request "invalid_json" otherwise.
result<boost::json::object> parse_object(std::string_view body);

// A string member, or nullopt when missing or not a string.
std::optional<std::string> string_member(const boost::json::object& o, std::string_view key);

}  // namespace doppel::handlers
