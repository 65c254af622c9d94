// Throwaway databases for integration tests: a fresh database per call on DOPPEL_TEST_DATABASE_URL, migrated.
#pragma once

#include <string>

namespace doppel::test {

// The admin URL from DOPPEL_TEST_DATABASE_URL; throws with a clear message when unset.
std::string admin_database_url();

// Creates a uniquely named database, applies all migrations from the repository, returns its URL.
std::string fresh_database_url();

// Same, without migrations (for migration tests).
std::string empty_database_url();

}  // namespace doppel::test
