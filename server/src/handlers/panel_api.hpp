// The issue panel's API: similar issues for an issue or a draft, and the pair actions (link, dismiss, restore).
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

#include <string_view>

namespace doppel::handlers {

net::reply similar_for_issue(env& e, net::request_context& ctx);
net::reply similar_for_draft(env& e, net::request_context& ctx);
net::reply link_pair(env& e, net::request_context& ctx);
net::reply dismiss_pair(env& e, net::request_context& ctx);
net::reply restore_pair(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
