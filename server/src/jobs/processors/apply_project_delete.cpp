// apply_project_delete: a deleted project's issues out of the index (the job's key is "project:<KEY>").
#include "jobs/processors/processors.hpp"

#include "service/indexing.hpp"

namespace doppel::jobs {

void apply_project_delete(store::write_tx& tx, const store::job& j, service::context& ctx) {
  constexpr std::string_view prefix = "project:";
  service::apply_project_delete(tx, ctx, j.tenant_id, j.unique_key.substr(prefix.size()));
}

}  // namespace doppel::jobs
