// Stand-alone qsh helper with the same interface as the hidden `doppel qsh` subcommand, used by the Node
// property test when the main binary lacks it: `qsh_cli METHOD URL [BASEURL]` prints the canonical
// request and its qsh on two lines. With no arguments it reads tab-separated "METHOD\tURL\tBASEURL" lines
// from stdin and answers "canonical\tqsh" per line (batch mode).
#include "auth/qsh.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc == 3 || argc == 4) {
    std::string canonical = doppel::auth::canonical_request(argv[1], argv[2], argc == 4 ? argv[3] : "");
    std::cout << canonical << '\n' << doppel::auth::query_string_hash(canonical) << '\n';
    return 0;
  }
  if (argc != 1) {
    std::cerr << "usage: qsh_cli METHOD URL [BASEURL]\n";
    return 2;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    auto t1 = line.find('\t');
    auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      std::cout << "ERROR\t\n";
      continue;
    }
    std::string canonical =
        doppel::auth::canonical_request(line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1));
    std::cout << canonical << '\t' << doppel::auth::query_string_hash(canonical) << '\n';
  }
  return 0;
}
