// doppel: entry point; dispatches to the subcommands (serve, migrate, eval, bench, version).
#include "tools/bench_command.hpp"
#include "app/commands.hpp"
#include "tools/eval_command.hpp"
#include "auth/qsh.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* usage =
    "Doppel - duplicate issue detection for Jira (Connect and Forge Remote)\n"
    "\n"
    "usage: doppel <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve                            run the HTTP server and background workers until SIGTERM/SIGINT\n"
    "  migrate                          apply pending database migrations and exit\n"
    "  eval --dataset FILE [--top N]    replay a dataset (JSON Lines, .gz allowed) and print suggestions\n"
    "  bench [--dataset FILE]           print engine benchmarks\n"
    "  bench tenants [--budget-mb N]    many sites through the index cache on PostgreSQL (DOPPEL_DATABASE_URL)\n"
    "  version                          print version and build info\n"
    "\n"
    "configuration comes from DOPPEL_* environment variables (see README.md).\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "doppel: missing command (try 'doppel --help')\n";
    return 2;
  }
  std::string cmd = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << usage;
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::cout << "doppel " << DOPPEL_VERSION << " (git " << DOPPEL_GIT_SHA << ", built " << __DATE__ << ")\n";
    return 0;
  }
  if (cmd == "serve") return doppel::app::run_serve_command(rest);
  if (cmd == "qsh") {  // debugging aid (and the property test's probe): canonical request and its hash
    if (rest.size() < 2 || rest.size() > 3) {
      std::cerr << "usage: doppel qsh METHOD URL [BASEURL]\n";
      return 2;
    }
    auto canonical = doppel::auth::canonical_request(rest[0], rest[1], rest.size() == 3 ? rest[2] : "");
    std::cout << canonical << "\n" << doppel::auth::query_string_hash(canonical) << "\n";
    return 0;
  }
  if (cmd == "migrate") return doppel::app::run_migrate_command(rest);
  if (cmd == "eval") return doppel::tools::run_eval_command(rest);
  if (cmd == "bench" && !rest.empty() && rest.front() == "tenants")
    return doppel::app::run_tenants_bench(std::vector<std::string>(rest.begin() + 1, rest.end()));
  if (cmd == "bench") return doppel::tools::run_bench_command(rest);
  std::cerr << "doppel: unknown command '" << cmd << "' (try 'doppel --help')\n";
  return 2;
}
