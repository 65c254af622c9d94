// The JSON-line logger: one object per line with ts, level, msg and the fields in order, plain decimal
// numbers, escaped text, level filtering.
#include "util/log.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <charconv>
#include <cstdio>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

using namespace doppel;

namespace {

// The lines written to stdout while f runs (stdout pointed at a temporary file meanwhile).
template <class F>
std::vector<std::string> stdout_lines(F f) {
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  std::FILE* file = std::tmpfile();
  REQUIRE(saved >= 0);
  REQUIRE(file != nullptr);
  dup2(fileno(file), STDOUT_FILENO);
  f();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::string text;
  std::rewind(file);
  for (int c; (c = std::fgetc(file)) != EOF;) text += static_cast<char>(c);
  std::fclose(file);
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line ends with a newline
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

std::vector<std::string> keys_of(const boost::json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

}  // namespace

TEST_CASE("log: one JSON object per line: ts, level, msg, then the fields in order") {
  const auto lines = stdout_lines([] {
    log::info("listening", {{"address", "127.0.0.1"}, {"port", 8080}});
    log::error("job failed", {{"job", 7}, {"what", "timeout"}});
  });
  REQUIRE(lines.size() == 2);
  const auto first = boost::json::parse(lines[0]).as_object();
  CHECK(keys_of(first) == std::vector<std::string>{"ts", "level", "msg", "address", "port"});
  CHECK(std::regex_match(std::string(first.at("ts").as_string()),
                         std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
  CHECK(first.at("level") == "info");
  CHECK(first.at("msg") == "listening");
  CHECK(first.at("port").as_int64() == 8080);
  CHECK(lines[0].find(R"("level":"info","msg":"listening","address":"127.0.0.1","port":8080})") != std::string::npos);
  const auto second = boost::json::parse(lines[1]).as_object();
  CHECK(second.at("level") == "error");
  CHECK(second.at("what") == "timeout");
}

TEST_CASE("log: numbers are plain decimals that read back to the same value") {
  const double latency = 0.147971;  // Boost.JSON's own serialiser writes 1.47971E-1
  const auto lines = stdout_lines([&] {
    log::info("request", {{"latency_ms", latency},
                          {"tiny", 0.0000025},
                          {"big", 2.5e6},
                          {"whole", 3.0},
                          {"count", -42},
                          {"max", std::uint64_t{18446744073709551615ull}},
                          {"nested", boost::json::array{1.5, 2, "x"}}});
  });
  REQUIRE(lines.size() == 1);
  const std::string& line = lines[0];
  CHECK(line.find(R"("latency_ms":0.147971,)") != std::string::npos);
  CHECK(line.find(R"("tiny":0.0000025,)") != std::string::npos);
  CHECK(line.find(R"("big":2500000,)") != std::string::npos);
  CHECK(line.find(R"("whole":3,)") != std::string::npos);
  CHECK(line.find(R"("count":-42,)") != std::string::npos);
  CHECK(line.find(R"("max":18446744073709551615,)") != std::string::npos);
  CHECK(line.find(R"("nested":[1.5,2,"x"]})") != std::string::npos);
  CHECK_FALSE(std::regex_search(line, std::regex(R"([0-9.][eE][-+]?[0-9])")));  // no exponent anywhere
  const auto parsed = boost::json::parse(line).as_object();
  CHECK(parsed.at("latency_ms").to_number<double>() == latency);
  CHECK(parsed.at("tiny").to_number<double>() == 0.0000025);
}

TEST_CASE("log: the extreme doubles are plain decimals too, NaN and infinity (which JSON lacks) null") {
  const double smallest = std::numeric_limits<double>::denorm_min();
  const double largest = std::numeric_limits<double>::max();
  const auto lines = stdout_lines([&] {
    log::info("extremes", {{"smallest", smallest},
                           {"largest", -largest},
                           {"nan", std::numeric_limits<double>::quiet_NaN()},
                           {"inf", std::numeric_limits<double>::infinity()}});
  });
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(R"("smallest":0.000)") != std::string::npos);
  // DBL_MAX's 309 digits (read back with from_chars: Boost.JSON's parser takes so long a number for infinity).
  const std::size_t at = lines[0].find(R"("largest":)") + 10, end = lines[0].find(',', at);
  REQUIRE(end != std::string::npos);
  CHECK(end - at == 310);
  double read_back = 0;
  CHECK(std::from_chars(lines[0].data() + at, lines[0].data() + end, read_back).ptr == lines[0].data() + end);
  CHECK(read_back == -largest);
  CHECK(lines[0].find(R"("nan":null,"inf":null})") != std::string::npos);
  const auto parsed = boost::json::parse(lines[0]).as_object();
  CHECK(parsed.at("smallest").to_number<double>() == smallest);
}

TEST_CASE("log: text is escaped, so a line stays one line of valid JSON") {
  const std::string awkward = "quote \" backslash \\ newline \n tab \t unicode \xC3\xA9 control \x01";
  const auto lines = stdout_lines([&] { log::warn(awkward, {{"detail", awkward}}); });
  REQUIRE(lines.size() == 1);
  const auto parsed = boost::json::parse(lines[0]).as_object();
  CHECK(parsed.at("msg").as_string() == awkward);
  CHECK(parsed.at("detail").as_string() == awkward);
  CHECK(parsed.at("level") == "warn");
}

TEST_CASE("log: the level filters what is written") {
  log::set_level(log::level::warn);
  CHECK_FALSE(log::enabled(log::level::info));
  CHECK(log::enabled(log::level::warn));
  CHECK(log::enabled(log::level::error));
  const auto quiet = stdout_lines([] {
    log::debug("dropped");
    log::info("dropped");
    log::warn("kept");
    log::error("kept too");
  });
  log::set_level(log::level::debug);
  const auto loud = stdout_lines([] { log::debug("shown"); });
  log::set_level(log::level::info);  // the default, for the other tests
  REQUIRE(quiet.size() == 2);
  CHECK(boost::json::parse(quiet[0]).as_object().at("msg") == "kept");
  CHECK(boost::json::parse(quiet[1]).as_object().at("level") == "error");
  REQUIRE(loud.size() == 1);
  CHECK(boost::json::parse(loud[0]).as_object().at("level") == "debug");
  CHECK_FALSE(log::enabled(log::level::debug));
}
