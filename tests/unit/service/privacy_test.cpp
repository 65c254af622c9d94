// Personal data reporting rules: which account ids Atlassian's API accepts, and the Cycle-Period header.
#include "service/privacy.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using std::chrono::seconds;

TEST_CASE("reportable account ids: 1-128 characters of letters, digits, '-' and ':', never 'unknown'") {
  CHECK(service::reportable_account_id("5b10ac8d82e05b22cc7d4ef5"));
  CHECK(service::reportable_account_id("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"));
  CHECK(service::reportable_account_id(std::string(128, 'a')));
  CHECK_FALSE(service::reportable_account_id(std::string(129, 'a')));
  CHECK_FALSE(service::reportable_account_id(""));
  CHECK_FALSE(service::reportable_account_id("unknown"));
  CHECK_FALSE(service::reportable_account_id("a b"));
  CHECK_FALSE(service::reportable_account_id("=HYPERLINK(1)"));
  CHECK_FALSE(service::reportable_account_id("caf\xc3\xa9"));
}

TEST_CASE("Cycle-Period: seconds or an ISO 8601 duration, clamped to 1 hour .. 90 days, else the default applies") {
  CHECK(service::parse_cycle_period("604800") == seconds(604800));
  CHECK(service::parse_cycle_period("P7D") == seconds(7 * 86400));
  CHECK(service::parse_cycle_period("P1DT12H") == seconds(86400 + 12 * 3600));
  CHECK(service::parse_cycle_period("PT90M") == seconds(5400));
  CHECK(service::parse_cycle_period(" P14D ") == seconds(14 * 86400));
  CHECK(service::parse_cycle_period("PT5S") == seconds(3600));        // clamped up
  CHECK(service::parse_cycle_period("P400D") == seconds(90 * 86400));  // clamped down
  for (const auto* bad : {"", "P", "PT", "7D", "P7", "P7X", "PT7D", "P7H", "-5", "1e6", "P1D2"})
    CHECK_MESSAGE(!service::parse_cycle_period(bad), bad);
  CHECK(service::default_report_cycle == seconds(7 * 86400));
}
