// The service objects behind the handlers, owned by main and shared by reference.
#pragma once

namespace doppel::app {

struct services {};

}  // namespace doppel::app
