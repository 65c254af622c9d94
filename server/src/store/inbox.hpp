// The inbox: every accepted webhook or Forge event is persisted (deduplicated) before we acknowledge it.
#pragma once

#include "core/inbound_event.hpp"
#include "store/database.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace doppel::store {

using core::event_type;
using core::inbound_event;

// Stores the events and queues (or coalesces into) the jobs that apply them, in one statement (so in one transaction
// even in a pqxx::nontransaction: a batch of webhook acknowledgements is one round trip and one synchronous commit).
// Returns, per event in order, whether it was new: false for a delivery id seen before (a retry: nothing changes) and
// for a repeat of a delivery id earlier in the same batch. Rows are written in (tenant, delivery id) and (tenant, job
// key) order, so batches of several replicas that share rows wait for each other instead of deadlocking.
std::vector<bool> accept_events(pqxx::transaction_base& tx, const std::vector<const inbound_event*>& events);
// accept_events of one event.
bool accept_event(pqxx::transaction_base& tx, const inbound_event& ev);

struct inbox_row {
  std::string delivery_id;
  std::string event;    // created | updated | deleted
  std::string payload;  // the delivery as received
};

// The issue's unprocessed deliveries, oldest first, row-locked for this transaction.
std::vector<inbox_row> lock_unprocessed(write_tx& tx, const std::string& tenant_id, const std::string& issue_id);
// Marks exactly these rows processed (a delivery committed since they were read belongs to the next job).
void mark_processed(write_tx& tx, const std::string& tenant_id, const std::vector<inbox_row>& rows);
void mark_project_delete_processed(write_tx& tx, const std::string& tenant_id, const std::string& project);

// Deletes at most `limit` inbox rows processed more than `older_than` ago, oldest first, in the caller's transaction
// (rows locked by a running apply job are skipped). A row is marked processed in the transaction that completes its
// job, so an unprocessed row, one whose job has not completed, is never deleted. Returns the rows deleted.
std::int64_t delete_processed(pqxx::transaction_base& tx, std::chrono::seconds older_than, std::int64_t limit);

// A PostgreSQL text[] literal of the values (quoted and escaped).
std::string text_array(const std::vector<std::string>& values);

}  // namespace doppel::store
