// doctest entry point for the integration test executable (needs DOPPEL_TEST_DATABASE_URL).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
