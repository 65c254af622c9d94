// Segment-wise route matching with named parameters and a trailing catch-all; 404 vs 405 told apart.
#include "net/router.hpp"

#include "util/encoding.hpp"

#include <boost/beast/http/verb.hpp>

namespace doppel::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Matches one pattern against a path; fills params on success.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>& params) {
  auto pp = split_path(pattern);
  auto sp = split_path(path);
  params.clear();
  for (std::size_t i = 0; i < pp.size(); ++i) {
    auto seg = pp[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (is_param && seg.size() > 5 && seg.substr(seg.size() - 4) == "...}") {
      if (i >= sp.size()) return false;
      std::string rest;
      for (std::size_t j = i; j < sp.size(); ++j) {
        auto decoded = percent_decode_segment(sp[j]);
        if (!decoded || decoded->empty() || *decoded == "." || *decoded == "..") return false;
        if (!rest.empty()) rest += '/';
        rest += *decoded;
      }
      params.emplace_back(std::string(seg.substr(1, seg.size() - 5)), rest);
      return true;
    }
    if (i >= sp.size()) return false;
    if (is_param) {
      auto decoded = percent_decode_segment(sp[i]);
      if (!decoded || decoded->empty()) return false;
      params.emplace_back(std::string(seg.substr(1, seg.size() - 2)), *decoded);
    } else if (seg != sp[i]) {
      return false;
    }
  }
  return pp.size() == sp.size();
}

}  // namespace

std::optional<std::string> percent_decode_segment(std::string_view s) {
  auto out = percent_decode(s, false);
  if (!out || out->find('\0') != std::string::npos) return std::nullopt;
  return out;
}

router::router(std::vector<route> routes) : routes_(std::move(routes)) {}

route_match router::match(http::verb method, std::string_view path) const {
  route_match result;
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& r : routes_) {
    if (!match_pattern(r.pattern, path, params)) continue;
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      result.matched = &r;
      result.params = std::move(params);
      result.allow.clear();
      return result;
    }
    auto name = std::string(http::to_string(r.method));
    if (result.allow.find(name) == std::string::npos) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += name;
    }
  }
  return result;
}

}  // namespace doppel::net
