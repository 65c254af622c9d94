// The issue and project key rules.
#include "core/issue_key.hpp"

#include <cctype>

namespace doppel::core {

bool valid_issue_key(std::string_view key) {
  auto dash = key.rfind('-');
  if (key.size() > 255 || dash == std::string_view::npos || dash == 0 || dash + 1 >= key.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(key[0]))) return false;
  for (std::size_t i = 0; i < dash; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (!std::isalnum(c) && c != '_') return false;
  }
  for (std::size_t i = dash + 1; i < key.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(key[i]))) return false;
  return true;
}

bool valid_project_key(std::string_view key) {
  if (key.empty() || key.size() > 255 || key[0] < 'A' || key[0] > 'Z') return false;
  for (char c : key)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace doppel::core
