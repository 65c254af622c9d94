// Webhook intake (Connect) and Forge product events: verify (done by policy), persist, acknowledge.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply jira_webhook(env& e, net::request_context& ctx);
net::reply forge_event(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
