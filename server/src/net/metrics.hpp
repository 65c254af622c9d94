// Prometheus metrics: request counters by route and status, latency histograms by route, gauges.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace doppel::net {

class metrics {
 public:
  void observe_request(const std::string& route, int status, double seconds);
  // A gauge read at scrape time (e.g. queue depth); fn is called under no lock of ours.
  void add_gauge(std::string name, std::string help, std::function<double()> fn);
  // A counter kept elsewhere (e.g. the index cache's loads), read at scrape time like a gauge.
  void add_counter_source(std::string name, std::string help, std::function<double()> fn);
  void add_counter(const std::string& name, std::uint64_t delta = 1);
  std::string render() const;  // Prometheus text exposition format 0.0.4

 private:
  struct histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts per upper bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_;
  std::map<std::string, std::uint64_t> counters_;
  struct gauge {
    std::string name, help;
    std::function<double()> fn;
    const char* type = "gauge";
  };
  std::vector<gauge> gauges_;
};

}  // namespace doppel::net
