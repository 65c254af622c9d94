// The link direction rule shared by the panel's link and the review queue's bulk link.
#include "service/pairs.hpp"

#include <doctest/doctest.h>

using doppel::service::duplicate_direction;

TEST_CASE("the newer issue duplicates the older one, whichever side it is on") {
  // Looking at the newer issue (the panel's usual case): it is the duplicate.
  auto d = duplicate_direction("NEW-2", 2000, "OLD-1", 1000);
  CHECK(d.older_key == "OLD-1");
  CHECK(d.newer_key == "NEW-2");
  // Looking at the older issue with a newer candidate: the candidate is the duplicate (the panel used to link the
  // issue being looked at as the duplicate whatever its age).
  d = duplicate_direction("OLD-1", 1000, "NEW-2", 2000);
  CHECK(d.older_key == "OLD-1");
  CHECK(d.newer_key == "NEW-2");
  // A tie keeps the pair's own direction: the first (the pair's issue) duplicates the second.
  d = duplicate_direction("A-2", 5, "A-1", 5);
  CHECK(d.older_key == "A-1");
  CHECK(d.newer_key == "A-2");
}
