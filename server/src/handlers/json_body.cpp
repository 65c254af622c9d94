// JSON body helpers.
#include "handlers/json_body.hpp"

namespace doppel::handlers {

result<boost::json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return make_error(errc::bad_request, "invalid_json", "Body is not valid JSON");
  if (!v.is_object()) return make_error(errc::bad_request, "invalid_json", "Body must be a JSON object");
  return std::move(v.as_object());
}

std::optional<std::string> string_member(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

}  // namespace doppel::handlers
