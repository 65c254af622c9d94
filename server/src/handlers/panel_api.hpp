// The issue panel's API: similar issues for an issue or a draft, and the pair actions (link, dismiss, restore).
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/context.hpp"

#include <string_view>

namespace doppel::handlers {

// Jira issue keys: PROJECT-123 (project key: a letter, then letters, digits or underscores).
bool valid_issue_key(std::string_view key);

net::reply similar_for_issue(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply similar_for_draft(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply link_pair(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply dismiss_pair(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply restore_pair(app::app_context& app, app::services& svc, net::request_context& ctx);

}  // namespace doppel::handlers
