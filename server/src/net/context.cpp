// request_context accessors and query-string decoding.
#include "net/context.hpp"

#include "util/encoding.hpp"

#include <stdexcept>

namespace doppel::net {

std::optional<std::string> form_decode(std::string_view s) { return percent_decode(s, true); }

std::string_view request_context::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> request_context::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto pair = q.substr(0, amp);
    auto eq = pair.find('=');
    auto key = form_decode(pair.substr(0, eq));
    if (key && *key == name) {
      if (eq == std::string_view::npos) return std::string();
      return form_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

const caller& request_context::caller_or_throw() const {
  if (!who) throw std::logic_error("handler on an authenticated route ran without a caller");
  return *who;
}

}  // namespace doppel::net
