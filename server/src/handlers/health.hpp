// Health and metrics handlers: /livez, /readyz, /metrics.
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply livez(env& e, net::request_context& ctx);
net::reply readyz(env& e, net::request_context& ctx);
net::reply metrics(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
