// Jira wiki markup and ADF to plain text (single pass scanners, no regular expressions).
#include "core/markup.hpp"

#include <simdjson.h>

#include "core/adf_walk.hpp"

namespace doppel::core {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Recognises "{name}" or "{name:params}" at s[i]; returns the length of the tag (0 if none)
// and the lower-cased name.
std::size_t macro_tag(std::string_view s, std::size_t i, std::string& name) {
  name.clear();
  std::size_t j = i + 1;
  while (j < s.size() && is_alpha(s[j]) && j - i < 32) name.push_back(static_cast<char>(s[j++] | 0x20));
  if (name.empty() || j >= s.size()) return 0;
  if (s[j] == '}') return j + 1 - i;
  if (s[j] != ':') return 0;
  for (std::size_t k = j + 1; k < s.size() && k - i < 512; ++k) {
    if (s[k] == '}') return k + 1 - i;
    if (s[k] == '\n' || s[k] == '{') return 0;
  }
  return 0;
}

bool verbatim_macro(const std::string& name) { return name == "code" || name == "noformat"; }

// Finds `close` on the same line within `limit` bytes after s[i]; npos when absent.
std::size_t find_on_line(std::string_view s, std::size_t from, char close, std::size_t limit) {
  for (std::size_t k = from; k < s.size() && k - from < limit; ++k) {
    if (s[k] == close) return k;
    if (s[k] == '\n') return std::string_view::npos;
  }
  return std::string_view::npos;
}

void append_link(std::string_view inner, std::string& out) {
  if (inner.empty() || inner.front() == '~' || inner.front() == '^') return;  // mention, attachment
  out.push_back(' ');
  for (char c : inner) out.push_back(c == '|' ? ' ' : c);
  out.push_back(' ');
}

bool looks_like_image(std::string_view inner) {
  if (inner.empty() || inner.front() == ' ' || inner.back() == ' ') return false;
  auto bar = inner.find('|');
  auto name = inner.substr(0, bar);
  return name.find('.') != std::string_view::npos && name.find(' ') == std::string_view::npos;
}

}  // namespace

std::string wiki_to_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::string name;
  std::string verbatim;  // name of the open {code}/{noformat} block, empty when outside
  bool line_start = true;
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    if (!verbatim.empty()) {
      std::size_t len = c == '{' ? macro_tag(s, i, name) : 0;
      if (len && name == verbatim) {
        verbatim.clear();
        out.push_back('\n');
        i += len;
        continue;
      }
      out.push_back(c);
      ++i;
      continue;
    }
    if (line_start) {
      // Heading and quote markers: "h1. ", "bq. ".
      if (i + 3 < s.size() && s[i] == 'h' && s[i + 1] >= '1' && s[i + 1] <= '6' && s[i + 2] == '.' && s[i + 3] == ' ') {
        i += 4;
        line_start = false;
        continue;
      }
      if (s.substr(i, 4) == "bq. ") {
        i += 4;
        line_start = false;
        continue;
      }
    }
    line_start = c == '\n';
    if (c == '{') {
      if (std::size_t len = macro_tag(s, i, name)) {
        if (verbatim_macro(name)) verbatim = name;
        out.push_back(' ');
        i += len;
        continue;
      }
    } else if (c == '[') {
      std::size_t end = find_on_line(s, i + 1, ']', 2048);
      if (end != std::string_view::npos) {
        append_link(s.substr(i + 1, end - i - 1), out);
        i = end + 1;
        continue;
      }
    } else if (c == '!') {
      std::size_t end = find_on_line(s, i + 1, '!', 512);
      if (end != std::string_view::npos && looks_like_image(s.substr(i + 1, end - i - 1))) {
        out.push_back(' ');
        i = end + 1;
        continue;
      }
    } else if (c == '|') {
      out.push_back(' ');
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

namespace detail {
namespace {

std::string_view string_field(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v) == simdjson::SUCCESS) return v;
  return {};
}

bool is_block(std::string_view type) {
  return type == "paragraph" || type == "heading" || type == "codeBlock" || type == "blockquote" ||
         type == "listItem" || type == "tableCell" || type == "tableHeader" || type == "panel" ||
         type == "rule" || type == "expand" || type == "nestedExpand" || type == "decisionItem" ||
         type == "taskItem" || type == "tableRow";
}

}  // namespace

void adf_append_text(simdjson::dom::element node, std::string& out, int depth, int max_depth) {
  if (depth > max_depth) return;
  if (node.is_array()) {
    for (auto child : node.get_array()) adf_append_text(child, out, depth + 1, max_depth);
    return;
  }
  if (!node.is_object()) return;
  std::string_view type = string_field(node, "type");
  if (type == "text") {
    out.append(string_field(node, "text"));
    return;
  }
  if (type == "hardBreak") {
    out.push_back('\n');
    return;
  }
  if (type == "mention" || type == "emoji" || type == "media" || type == "mediaSingle" ||
      type == "mediaGroup" || type == "mediaInline") {
    out.push_back(' ');
    return;
  }
  simdjson::dom::element attrs;
  if (node["attrs"].get(attrs) == simdjson::SUCCESS && attrs.is_object()) {
    if (type == "inlineCard" || type == "blockCard" || type == "embedCard") {
      out.push_back(' ');
      out.append(string_field(attrs, "url"));
      out.push_back(' ');
    } else if (type == "status" || type == "date" || type == "placeholder") {
      out.push_back(' ');
      out.append(string_field(attrs, "text"));
      out.push_back(' ');
    } else if (type == "expand" || type == "nestedExpand") {
      out.append(string_field(attrs, "title"));
      out.push_back('\n');
    }
  }
  simdjson::dom::element content;
  if (node["content"].get(content) == simdjson::SUCCESS && content.is_array()) {
    for (auto child : content.get_array()) adf_append_text(child, out, depth + 1, max_depth);
  }
  if (is_block(type)) out.push_back('\n');
}

}  // namespace detail

std::string adf_json_to_text(std::string_view json) {
  simdjson::dom::parser parser;
  if (parser.allocate(json.size() + 64, 4 * adf_max_depth + 64) != simdjson::SUCCESS) return {};
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return {};
  std::string out;
  detail::adf_append_text(root, out, 0, adf_max_depth);
  return out;
}

}  // namespace doppel::core
