// Subcommands of the doppel binary; each returns the process exit code (2 = bad arguments or config).
#pragma once

#include <string>
#include <vector>

namespace doppel::app {

int run_serve_command(const std::vector<std::string>& args);
int run_migrate_command(const std::vector<std::string>& args);
// `doppel bench tenants [--small-sites N] [--small-max N] [--large-sites N,N] [--large-ranks R,R] [--requests N]
// [--budget-mb N] [--zipf S] [--runs one,round_robin,affine] [--dataset FILE]` (args exclude "bench tenants"): the many-site index
// cache benchmark on the database of DOPPEL_DATABASE_URL (else the embedded one), seeded on first use.
int run_tenants_bench(const std::vector<std::string>& args);

}  // namespace doppel::app
