// Private driver for measuring the engine before main.cpp exists: `eval_driver eval|bench ARGS`.
#include <iostream>
#include <string>
#include <vector>

#include "app/bench_command.hpp"
#include "app/eval_command.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: eval_driver eval ARGS\n";
    return 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  std::string cmd = argv[1];
  if (cmd == "eval") return doppel::app::run_eval_command(args);
  if (cmd == "bench") return doppel::app::run_bench_command(args);
  std::cerr << "unknown command " << cmd << '\n';
  return 2;
}
