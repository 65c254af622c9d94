// The dismissal rule over stored pairs: a dismissed pair hides the other issue, in either direction.
#include "store/pair_store.hpp"

#include <doctest/doctest.h>

using doppel::store::dismissed_among;
using doppel::store::pair_row;

TEST_CASE("dismissed_among: the other issue of each dismissed pair, whichever side the issue is on") {
  const std::vector<pair_row> pairs = {
      {"10", "7", 0.9, "dismissed"},  // 10 -> 7 dismissed
      {"12", "10", 0.8, "dismissed"},  // 12 -> 10 dismissed: hides 12 for 10
      {"10", "8", 0.7, "pending"},
      {"11", "10", 0.6, "confirmed"},
  };
  const auto hidden = dismissed_among(pairs, "10");
  CHECK(hidden.size() == 2);
  CHECK(hidden.count("7") == 1);
  CHECK(hidden.count("12") == 1);
  CHECK(dismissed_among(pairs, "10").count("10") == 0);
  CHECK(dismissed_among({}, "10").empty());
}
