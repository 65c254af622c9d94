// Job queue rules that need no database: retry backoff, job kind names.
#include "store/job_queue.hpp"

#include <doctest/doctest.h>

using namespace doppel;

TEST_CASE("backoff doubles from 1 s, caps at 5 min, jitter within 0.7..1.3") {
  using std::chrono::milliseconds;
  CHECK(store::backoff_delay(1, 0.5) == milliseconds(1000));
  CHECK(store::backoff_delay(2, 0.5) == milliseconds(2000));
  CHECK(store::backoff_delay(4, 0.5) == milliseconds(8000));
  CHECK(store::backoff_delay(30, 0.5) == milliseconds(300000));
  CHECK(store::backoff_delay(1, 0.0) == milliseconds(700));
  CHECK(store::backoff_delay(1, 1.0) == milliseconds(1300));
}

TEST_CASE("job kinds round-trip through their names") {
  for (auto k : {store::job_kind::apply_issue, store::job_kind::apply_project_delete, store::job_kind::backfill,
                 store::job_kind::rescan, store::job_kind::publish_flags, store::job_kind::purge_tenant,
                 store::job_kind::sync_ui_modification, store::job_kind::report_accounts})
    CHECK(store::job_kind_from(store::to_string(k)) == k);
  CHECK_FALSE(store::job_kind_from("drop_table").has_value());
}
