// The Connect descriptor, rendered from connect-descriptor/atlassian-connect.json for this base URL and app key.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

#include <string>

namespace doppel::handlers {

// Replaces {{baseUrl}} and {{appKey}} (JSON-escaped) in the template.
std::string render_descriptor(const std::string& tmpl, const std::string& base_url, const std::string& app_key);

net::reply descriptor(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
