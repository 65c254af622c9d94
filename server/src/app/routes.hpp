// The one route table: method, path pattern, auth class, body limit, handler.
#pragma once

#include "app/app_context.hpp"
#include "net/router.hpp"

#include <vector>

namespace doppel::app {

struct services;  // app/services.hpp: the per-area service objects handlers call

std::vector<net::route> make_routes(app_context& app, services& svc);

}  // namespace doppel::app
