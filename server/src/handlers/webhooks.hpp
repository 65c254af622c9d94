// Webhook intake (Connect) and Forge product events: verify (done by policy), persist, acknowledge.
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply jira_webhook(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply forge_event(app::app_context& app, app::services& svc, net::request_context& ctx);

}  // namespace doppel::handlers
