// Webhook intake (Connect), Forge product events and Forge's pre-uninstall call: verify (done by policy), act, acknowledge.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

#include <string_view>

namespace doppel::handlers {

// POST /webhooks/jira: answers 204 once the event is committed with the others of its group commit (deferred route).
void jira_webhook(env& e, net::request_context& ctx, net::reply_sink answer);
net::reply forge_event(env& e, net::request_context& ctx);

// The manifest's preUninstall module key (connect-descriptor/forge/manifest.yml): the FIT of its call names it.
inline constexpr std::string_view forge_pre_uninstall_module = "doppel-pre-uninstall";
// POST /api/forge/uninstall: removes the create-dialog hints' entity and uninstalls the site; always 204 (Forge
// ignores the answer and uninstalls anyway), 403 "wrong_module" for any other module's token.
net::reply forge_uninstall(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
