// The one route table: method, path pattern, auth class, body limit, handler.
#pragma once

#include "handlers/env.hpp"
#include "net/router.hpp"

#include <vector>

namespace doppel::app {

std::vector<net::route> make_routes(handlers::env& e);

}  // namespace doppel::app
