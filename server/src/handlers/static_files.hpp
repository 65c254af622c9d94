// Built frontend assets under /static/{path...} from the static dir (frontend/dist), strict path allowlist.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace doppel::handlers {

// Reads a file below root if rel is a safe relative path ([A-Za-z0-9._-] segments, no dot-dot); nullopt otherwise.
std::optional<std::string> read_static_file(const std::string& root, std::string_view rel);
std::string content_type_for(std::string_view path);

net::reply static_file(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
