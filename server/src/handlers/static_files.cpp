// Static assets: allowlisted relative paths only, content types by extension, long cache for hashed assets.
#include "handlers/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace doppel::handlers {
namespace {

bool safe_segment(std::string_view seg) {
  if (seg.empty() || seg.front() == '.') return false;
  for (char c : seg)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::string> read_static_file(const std::string& root, std::string_view rel) {
  if (rel.empty() || rel.size() > 200) return std::nullopt;
  std::size_t start = 0;
  while (start <= rel.size()) {
    auto slash = rel.find('/', start);
    auto seg = rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!safe_segment(seg)) return std::nullopt;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::filesystem::path p = std::filesystem::path(root) / std::string(rel);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string content_type_for(std::string_view path) {
  if (ends_with(path, ".js") || ends_with(path, ".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(path, ".css")) return "text/css; charset=utf-8";
  if (ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".svg")) return "image/svg+xml";
  if (ends_with(path, ".png")) return "image/png";
  if (ends_with(path, ".json") || ends_with(path, ".map")) return "application/json";
  if (ends_with(path, ".woff2")) return "font/woff2";
  if (ends_with(path, ".ico")) return "image/x-icon";
  return "application/octet-stream";
}

net::reply static_file(env& e, net::request_context& ctx) {
  auto rel = ctx.param("path");
  if (ends_with(rel, ".html")) return net::error_reply(errc::not_found, "not_found", "No such asset");
  auto body = read_static_file(e.static_dir, rel);
  if (!body) return net::error_reply(errc::not_found, "not_found", "No such asset");
  net::reply r{net::http::status::ok, content_type_for(rel), std::move(*body), {}};
  // Vite emits content-hashed names under assets/: safe to cache for a year.
  r.header("Cache-Control", rel.rfind("assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "public, max-age=300");
  return r;
}

}  // namespace doppel::handlers
