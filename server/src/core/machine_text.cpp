// Machine text: line classification (stack frames, log lines) and the split of a text into prose and machine lines.
#include "core/machine_text.hpp"

#include <cctype>

namespace doppel::core {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '>' ||
                        s.front() == '|'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "at a.b.C.m(C.java:12)", "at a.b.C.m(Native Method)", "at C.m(Unknown Source) ~[x.jar:?]".
bool java_frame(std::string_view l) {
  if (l.size() < 6 || l.substr(0, 3) != "at ") return false;
  const auto open = l.find('(');
  if (open == std::string_view::npos || open < 4 || l.find(')', open) == std::string_view::npos) return false;
  for (char c : l.substr(3, open - 3))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '$' || c == '_' || c == '<' || c == '>' ||
          c == '/' || c == '-'))
      return false;
  return l.substr(3, open - 3).find('.') != std::string_view::npos;
}

bool python_frame(std::string_view l) {
  return l.substr(0, 6) == "File \"" && l.find("\", line ") != std::string_view::npos;
}

// "... 12 more" (the elided frames of a cause).
bool elided_frames(std::string_view l) {
  if (l.substr(0, 4) != "... " || l.size() < 9 || l.substr(l.size() - 5) != " more") return false;
  for (char c : l.substr(4, l.size() - 9))
    if (!digit(c)) return false;
  return true;
}

// A date ("2013-02-01", "13/02/01") or a time ("10:00:01") at the start.
std::size_t stamp_length(std::string_view l) {
  auto pattern = [&](std::string_view p) {  // 'd' = digit, other characters literal
    if (l.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (p[i] == 'd' ? !digit(l[i]) : l[i] != p[i]) return false;
    return true;
  };
  if (pattern("dddd-dd-dd")) return 10;
  if (pattern("dd/dd/dd")) return 8;
  if (pattern("dd:dd:dd")) return 8;
  return 0;
}

bool level_word(std::string_view w) {
  return w == "INFO" || w == "WARN" || w == "WARNING" || w == "ERROR" || w == "DEBUG" || w == "FATAL" ||
         w == "TRACE" || w == "SEVERE";
}

// A stamp first (the rest of the date and time included), then a level word among the next few words; a
// bracketed group ("[IPC Server handler 3]", "[main]") counts as one word.
bool log_line(std::string_view l) {
  std::size_t pos = stamp_length(l);
  if (pos == 0) return false;
  while (pos < l.size() && (digit(l[pos]) || l[pos] == ':' || l[pos] == ',' || l[pos] == '.' || l[pos] == ' ' ||
                            l[pos] == '-' || l[pos] == 'T'))
    ++pos;
  for (int words = 0; words < 4 && pos < l.size(); ++words) {
    while (pos < l.size() && l[pos] == ' ') ++pos;
    std::size_t end = pos;
    if (pos < l.size() && l[pos] == '[') {
      end = l.find(']', pos);
      if (end == std::string_view::npos) return false;
      pos = end + 1;
      continue;
    }
    while (end < l.size() && l[end] != ' ' && l[end] != '[' && l[end] != ':') ++end;
    if (level_word(l.substr(pos, end - pos))) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

bool is_machine_line(std::string_view line) {
  const std::string_view l = trim(line);
  return java_frame(l) || python_frame(l) || elided_frames(l) || l.substr(0, 10) == "Caused by:" || log_line(l);
}

split_text split_machine_text(std::string_view text) {
  split_text out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    std::string& to = is_machine_line(line) ? out.machine : out.prose;
    to.append(line);
    to.push_back('\n');
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace doppel::core
