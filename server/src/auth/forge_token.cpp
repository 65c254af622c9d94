// Forge app system token helpers: expiry from the JWT payload (unverified), usability, wait messages.
#include "auth/forge_token.hpp"

#include "auth/jwt.hpp"

#include <limits>

namespace doppel::auth {

std::optional<std::int64_t> system_token_expiry(std::string_view token, std::int64_t now_s) {
  auto jwt = decode_jwt(token);
  if (!jwt) return std::nullopt;
  const auto* exp = jwt->claims.if_contains("exp");
  if (!exp) return std::nullopt;
  std::int64_t value = 0;
  if (exp->is_int64()) value = exp->get_int64();
  else if (exp->is_uint64() && exp->get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) value = std::int64_t(exp->get_uint64());
  else if (exp->is_double() && exp->get_double() > 0 && exp->get_double() < 1e15) value = std::int64_t(exp->get_double());
  else return std::nullopt;
  if (value <= 0 || value > now_s + system_token_max_lifetime_s) return std::nullopt;
  return value;
}

bool plausible_system_token(std::string_view token) {
  if (token.empty() || token.size() > max_system_token_bytes) return false;
  for (char c : token)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

std::string system_token_problem(bool stored, std::optional<std::int64_t> expires_s, std::int64_t now_s) {
  if (!stored) return "forge_token_missing";
  if (expires_s && *expires_s <= now_s + system_token_margin_s) return "forge_token_expired";
  return "";
}

std::string backfill_wait_message(std::string_view reason) {
  if (reason == "forge_token_missing")
    return "Waiting for Jira: Forge has not sent Doppel an app system token yet. It arrives with the next Jira "
           "event or page action; the backfill resumes where it stopped.";
  if (reason == "forge_token_expired")
    return "Waiting for Jira: the app system token Forge last sent has expired. A new one arrives with the next "
           "Jira event or page action; the backfill resumes where it stopped.";
  if (reason == "forge_token_rejected")
    return "Waiting for Jira: Jira rejected the app system token (401). Doppel waits for a new one from the next "
           "Jira event or page action; the backfill resumes where it stopped.";
  return "Waiting for Jira; the backfill resumes where it stopped.";
}

}  // namespace doppel::auth
