// What handlers are given: the use-cases' context plus the few facts of this process that pages and health need.
#pragma once

#include "net/context.hpp"
#include "net/metrics.hpp"
#include "service/context.hpp"

#include <atomic>
#include <string>

namespace doppel::handlers {

struct env {
  service::context& svc;
  const std::string& static_dir;           // the built frontend (frontend/dist)
  const std::string& descriptor_template;  // connect-descriptor/atlassian-connect.json, loaded at start
  const std::string& base_url;             // public base URL (known once listening when the port is picked)
  const std::string& app_key;
  const std::atomic<bool>& ready;          // migrations applied and listening; false while draining
  net::metrics& stats;
};

using handler_fn = net::reply (*)(env&, net::request_context&);
// A deferred route's handler (net::deferred_handler_fn): answers through the sink, possibly from another thread.
using deferred_fn = void (*)(env&, net::request_context&, net::reply_sink);

}  // namespace doppel::handlers
