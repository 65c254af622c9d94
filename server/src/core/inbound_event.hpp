// Inbound events: what the webhook and Forge event handlers read from a delivery to route it (pure parsing).
#pragma once

#include "util/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace doppel::core {

enum class event_type { created, updated, deleted, project_deleted };

struct inbound_event {
  std::string tenant_id;
  std::string delivery_id;   // dedupe key (Jira retries reuse it)
  std::string source;        // connect | forge | backfill
  event_type type = event_type::updated;
  std::string issue_id;      // empty for project events
  std::string project_key;
  std::string payload;       // raw JSON, stored as received
};

std::string_view to_string(event_type t);

// Reads the fields we route on from a Jira webhook body (jira:issue_* / project_deleted).
// nullopt event = an event we do not handle (acknowledged, not stored).
result<std::optional<inbound_event>> parse_connect_webhook(std::string_view body);

// Reads a Forge product event (avi:jira:{created,updated,deleted}:issue).
result<std::optional<inbound_event>> parse_forge_event(std::string_view body);

// Deliveries up to this size are stored in the inbox as received; a larger one (up to the webhook routes' limit,
// app/routes.cpp) is stored bounded: each issue field, and each other member of the delivery, keeps at most
// max_field_bytes (core/analyzer.hpp) of its text, the prefix the index reads anyway.
inline constexpr std::size_t max_verbatim_event_bytes = 1024 * 1024;

// The payload the inbox stores for a delivery body (see max_verbatim_event_bytes). Strings are cut at a UTF-8
// character boundary; array elements past a field's budget are dropped; the result is valid JSON, never larger.
// A body that is not a JSON object is returned as received (the parsers reject it first).
std::string stored_payload(std::string_view body);

// "sha256:<hex>" of a body: the dedupe key when the platform sends no delivery id.
std::string body_digest(std::string_view body);

}  // namespace doppel::core
