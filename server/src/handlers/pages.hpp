// Iframe pages (panel, admin, dashboard): built HTML from the static dir with per-tenant frame-ancestors.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

#include <string>

namespace doppel::handlers {

// Content-Security-Policy for a page embedded by the tenant's Jira (base and display URL origins).
std::string page_csp(const std::string& base_url, const std::string& display_url);

net::reply panel_page(env& e, net::request_context& ctx);
net::reply admin_page(env& e, net::request_context& ctx);
net::reply dashboard_page(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
