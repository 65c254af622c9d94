// Connect lifecycle callbacks: installed, uninstalled (RS256 signed), enabled, disabled (HS256).
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply installed(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply uninstalled(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply enabled(app::app_context& app, app::services& svc, net::request_context& ctx);
net::reply disabled(app::app_context& app, app::services& svc, net::request_context& ctx);

}  // namespace doppel::handlers
