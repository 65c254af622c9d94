// Connect lifecycle callbacks: installed, uninstalled (RS256 signed), enabled, disabled (HS256).
#pragma once

#include "handlers/env.hpp"
#include "net/context.hpp"

namespace doppel::handlers {

net::reply installed(env& e, net::request_context& ctx);
net::reply uninstalled(env& e, net::request_context& ctx);
net::reply enabled(env& e, net::request_context& ctx);
net::reply disabled(env& e, net::request_context& ctx);

}  // namespace doppel::handlers
