// Health and metrics handlers: /livez, /readyz, /metrics.
#pragma once

#include "app/app_context.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply livez(app::app_context& app, net::request_context& ctx);
net::reply readyz(app::app_context& app, net::request_context& ctx);
net::reply metrics(app::app_context& app, net::request_context& ctx);

}  // namespace doppel::handlers
