// Per-site call gates: slots per mode, Retry-After closing the site, slow sites, and a gated client against a fake
// Jira on loopback (a throttled site is not called again; a job's client never sleeps).
#include "jira/call_gate.hpp"
#include "jira/jira_client.hpp"
#include "unit/fake_clock.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

using namespace doppel;
using namespace doppel::jira;
using namespace std::chrono_literals;

namespace {

call_limits test_limits() {
  call_limits l;
  l.request_slots = 2;
  l.background_slots = 1;
  l.request_wait = 0ms;
  l.background_wait = 5000ms;
  l.busy_retry = 1000ms;
  l.slow_retry = 10000ms;
  return l;
}

}  // namespace

TEST_CASE("call gate: a request gets a slot or (with no wait allowed) fails with jira_busy, a freed slot is taken again") {
  test::fake_clock clock;
  call_gates gates(test_limits(), clock.fn());
  auto gate = gates.gate_for("t1");
  auto a = gate->acquire(call_mode::request, std::nullopt);
  auto b = gate->acquire(call_mode::request, std::nullopt);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto c = gate->acquire(call_mode::request, std::nullopt);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == errc::unavailable);
  CHECK(c.error().stable_code == "jira_busy");
  // Another site and the background slots are separate.
  CHECK(gates.gate_for("t2")->acquire(call_mode::request, std::nullopt).ok());
  CHECK(gate->acquire(call_mode::background, std::nullopt).ok());
  { auto released = std::move(*a); }
  CHECK(gate->acquire(call_mode::request, std::nullopt).ok());
  CHECK(gates.gate_for("t1") == gate);
}

TEST_CASE("call gate: a Retry-After closes the site for both modes until it has passed") {
  test::fake_clock clock;
  call_gates gates(test_limits(), clock.fn());
  auto gate = gates.gate_for("t1");
  gate->throttled(60000ms);
  for (auto mode : {call_mode::request, call_mode::background}) {
    auto r = gate->acquire(mode, std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(r.error().stable_code == "jira_rate_limited");
  }
  CHECK(gate->retry_in() == 60000ms);
  clock.now += 59s;
  CHECK(gate->retry_in() == 1000ms);
  CHECK_FALSE(gate->acquire(call_mode::request, std::nullopt).ok());
  clock.now += 1s;
  CHECK(gate->acquire(call_mode::request, std::nullopt).ok());
  CHECK(gates.gate_for("t2")->acquire(call_mode::request, std::nullopt).ok());  // other sites never closed

  SUBCASE("without a Retry-After the default applies; an earlier end never shortens a later one") {
    gate->throttled(std::nullopt);
    CHECK(gate->retry_in() == test_limits().default_retry_after);
    gate->throttled(1000ms);
    CHECK(gate->retry_in() == test_limits().default_retry_after);
  }
  SUBCASE("an absurd Retry-After is capped") {
    gate->throttled(std::chrono::hours(48));
    CHECK(gate->retry_in() == test_limits().max_retry_after);
  }
}

TEST_CASE("call gate: a job waits for a busy slot, but not when the site is slow") {
  test::fake_clock clock;
  call_gates gates(test_limits(), clock.fn());
  auto gate = gates.gate_for("t1");
  std::optional<call_slot> held;
  auto first = gate->acquire(call_mode::background, std::nullopt);
  REQUIRE(first.ok());
  held.emplace(std::move(*first));

  SUBCASE("the slot is freed while the job waits: it gets it") {
    std::thread freer([&] { held.reset(); });
    auto r = gate->acquire(call_mode::background, std::nullopt);  // waits up to background_wait (5 s)
    freer.join();
    CHECK(r.ok());
  }
  SUBCASE("a slow site (a call timed out): no wait, jira_busy at once; the wait for a job is the slow pause") {
    gate->timed_out();
    CHECK(gate->slow());
    const auto t0 = std::chrono::steady_clock::now();
    auto r = gate->acquire(call_mode::background, std::nullopt);
    CHECK(std::chrono::steady_clock::now() - t0 < 2500ms);  // did not sit out the 5 s background_wait
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "jira_busy");
    CHECK(gate->retry_in(0.0) == 10000ms);
    CHECK(gate->retry_in(0.999) < 15000ms);
    CHECK(gate->retry_in(0.5) > 10000ms);
    gate->answered();  // the site answers again
    CHECK_FALSE(gate->slow());
    CHECK(gate->retry_in(0.0) == 1000ms);
  }
  SUBCASE("a slow site stays slow for slow_window only") {
    gate->timed_out();
    clock.now += test_limits().slow_window;
    CHECK_FALSE(gate->slow());
  }
}

namespace {

// A fake Jira answering every call with the given status (and Retry-After when set).
struct fixed_jira {
  unsigned status;
  std::string retry_after;
  test::loopback_server server{[this](const test::server_request&) {
    auto r = test::text_response(status, "{}", "application/json");
    if (!retry_after.empty()) r.set("Retry-After", retry_after);
    return r;
  }};
};

jira_client gated(const fixed_jira& jira, std::shared_ptr<tenant_gate> gate, std::vector<std::chrono::milliseconds>& sleeps,
                  clock_fn clock) {
  jira_client_deps d;
  d.http = std::make_shared<http_client>();
  d.clock = std::move(clock);
  d.sleep = [&sleeps](std::chrono::milliseconds ms) { sleeps.push_back(ms); };
  d.random = [] { return 0.5; };
  d.gate = std::move(gate);
  return jira_client(connect_credentials{jira.server.url(""), "io.doppel.test", "secret-0123456789"}, std::move(d));
}

}  // namespace

TEST_CASE("gated client: a 429 with Retry-After 60 closes the site, later calls fail without reaching Jira") {
  test::fake_clock clock;
  call_gates gates(test_limits(), clock.fn());
  fixed_jira jira{429, "60"};
  std::vector<std::chrono::milliseconds> sleeps;

  SUBCASE("a job's client: one attempt, nothing slept, the site closed for 60 s") {
    auto client = gated(jira, gates.gate_for("t1"), sleeps, clock.fn());
    client.limit_to_job(40000ms, 10000ms);
    auto r = client.get_issue("A-1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(jira.server.request_count() == 1);
    CHECK(sleeps.empty());
    CHECK(gates.gate_for("t1")->retry_in() == 60000ms);
    auto again = client.set_issue_property("A-1", "p", boost::json::value(1));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().stable_code == "jira_rate_limited");
    CHECK(jira.server.request_count() == 1);  // not called during its Retry-After
  }
  SUBCASE("a request's client: fails at once, never sleeps out the Retry-After") {
    auto client = gated(jira, gates.gate_for("t1"), sleeps, clock.fn());
    client.limit_to_request(5000ms);
    auto r = client.is_jira_admin("acct-1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::rate_limited);
    CHECK(sleeps.empty());
    CHECK(jira.server.request_count() == 1);
    // Another request of the same site does not call Jira at all; another site is called.
    auto other = gated(jira, gates.gate_for("t1"), sleeps, clock.fn());
    other.limit_to_request(5000ms);
    CHECK(other.is_jira_admin("acct-2").error().stable_code == "jira_rate_limited");
    CHECK(jira.server.request_count() == 1);
    auto elsewhere = gated(jira, gates.gate_for("t2"), sleeps, clock.fn());
    elsewhere.limit_to_request(5000ms);
    CHECK_FALSE(elsewhere.is_jira_admin("acct-3").ok());
    CHECK(jira.server.request_count() == 2);
  }
}

TEST_CASE("gated client: a job's 503 is not retried in the call (the queue reschedules it)") {
  test::fake_clock clock;
  call_gates gates(test_limits(), clock.fn());
  fixed_jira jira{503, ""};
  std::vector<std::chrono::milliseconds> sleeps;
  auto client = gated(jira, gates.gate_for("t1"), sleeps, clock.fn());
  client.limit_to_job(40000ms, 10000ms);
  CHECK_FALSE(client.get_issue("A-1").ok());
  CHECK(jira.server.request_count() == 1);
  CHECK(sleeps.empty());
  CHECK(gates.gate_for("t1")->retry_in() == test_limits().default_retry_after);
}

TEST_CASE("call gate: a request waits for a slot freed meanwhile, within request_wait") {
  auto limits = test_limits();
  limits.request_wait = 5000ms;
  call_gates gates(limits, system_clock_fn());
  auto gate = gates.gate_for("t1");
  auto a = gate->acquire(call_mode::request, std::nullopt);
  auto b = gate->acquire(call_mode::request, std::nullopt);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::thread release([slot = std::move(*a)]() mutable {
    std::this_thread::sleep_for(50ms);
    { auto gone = std::move(slot); }
  });
  auto c = gate->acquire(call_mode::request, std::nullopt);  // waits for the slot the thread gives back
  release.join();
  CHECK(c.ok());
  // A deadline already passed never waits: jira_busy at once.
  auto d = gate->acquire(call_mode::request, std::chrono::system_clock::now());
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().stable_code == "jira_busy");
}
