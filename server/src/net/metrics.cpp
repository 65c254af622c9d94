// Prometheus text rendering of request counts, latency histograms, counters and gauges.
#include "net/metrics.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace doppel::net {
namespace {

constexpr std::array<double, 12> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

std::string fmt_double(double v) {
  char buf[64];
  // Whole numbers (byte counts, totals) in full; others to six significant digits.
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void metrics::observe_request(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  auto& h = latency_[route];
  if (h.buckets.empty()) h.buckets.assign(bounds.size(), 0);
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void metrics::add_gauge(std::string name, std::string help, std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(fn)});
}

void metrics::add_counter_source(std::string name, std::string help, std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(fn), "counter"});
}

void metrics::add_counter(const std::string& name, std::uint64_t delta) {
  std::lock_guard lock(mutex_);
  counters_[name] += delta;
}

std::string metrics::render() const {
  std::vector<gauge> gauges;
  std::string out;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP doppel_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE doppel_http_requests_total counter\n";
    for (const auto& [key, n] : requests_)
      out += "doppel_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) +
             "\"} " + std::to_string(n) + "\n";
    out += "# HELP doppel_http_request_duration_seconds Request latency by route.\n";
    out += "# TYPE doppel_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (std::size_t i = 0; i < bounds.size(); ++i)
        out += "doppel_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + fmt_double(bounds[i]) +
               "\"} " + std::to_string(h.buckets[i]) + "\n";
      out += "doppel_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "doppel_http_request_duration_seconds_sum{route=\"" + route + "\"} " + fmt_double(h.sum) + "\n";
      out += "doppel_http_request_duration_seconds_count{route=\"" + route + "\"} " + std::to_string(h.count) + "\n";
    }
    for (const auto& [name, n] : counters_) {
      out += "# TYPE " + name + " counter\n";
      out += name + " " + std::to_string(n) + "\n";
    }
    gauges = gauges_;
  }
  for (const auto& g : gauges) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " " + g.type + "\n";
    out += g.name + " " + fmt_double(g.fn()) + "\n";
  }
  return out;
}

}  // namespace doppel::net
