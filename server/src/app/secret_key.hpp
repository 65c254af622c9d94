// The key that seals tenant secrets at rest: DOPPEL_SECRET_KEY, or a development key kept in the data dir.
#pragma once

#include "app/config.hpp"

#include <string>

namespace doppel::app {

// DOPPEL_SECRET_KEY, or a key generated once into <data dir>/secret.key (mode 0600) with a warning.
std::string load_or_create_secret_key(const config& cfg);

}  // namespace doppel::app
