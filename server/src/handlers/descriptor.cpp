// Descriptor rendering: plain placeholder substitution with JSON-escaped values.
#include "handlers/descriptor.hpp"

#include <boost/json.hpp>

namespace doppel::handlers {
namespace {

std::string json_escaped_inner(const std::string& s) {
  auto quoted = boost::json::serialize(boost::json::value(s));
  return quoted.substr(1, quoted.size() - 2);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

}  // namespace

std::string render_descriptor(const std::string& tmpl, const std::string& base_url, const std::string& app_key) {
  std::string out = tmpl;
  replace_all(out, "{{baseUrl}}", json_escaped_inner(base_url));
  replace_all(out, "{{appKey}}", json_escaped_inner(app_key));
  return out;
}

net::reply descriptor(env& e, net::request_context&) {
  auto r = net::json_reply(net::http::status::ok,
                           render_descriptor(e.descriptor_template, e.base_url, e.app_key));
  return r;
}

}  // namespace doppel::handlers
