// Tenant settings rows: the admin's settings as JSON text (validated by service/settings).
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>

namespace doppel::store {

std::optional<std::string> read_settings(pqxx::transaction_base& tx, const std::string& tenant_id);
void write_settings(pqxx::work& tx, const std::string& tenant_id, const std::string& json);

}  // namespace doppel::store
