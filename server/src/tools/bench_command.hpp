// `doppel bench`: engine benchmarks (printed, not asserted): replay throughput, full-backlog scan,
// query latency and update cost at synthetic scale, memory per issue.
#pragma once

#include <string>
#include <vector>

namespace doppel::tools {

// `doppel bench [--dataset FILE] [--sizes N,N,...] [--queries N] [--updates N] [--no-scan]
// [--scan-repeats N] [--options JSON|@FILE]` (args exclude "bench"). Prints one "bench <section>: key=value ..." line
// per measurement. Bad arguments: one line on stderr, returns 2.
int run_bench_command(const std::vector<std::string>& args);

}  // namespace doppel::tools
