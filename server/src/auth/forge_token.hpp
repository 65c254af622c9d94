// The Forge app system token (x-forge-oauth-system): its expiry, whether a stored one is still usable, and why
// work that needs it is waiting. Pure functions; the token itself is never logged or returned in errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace doppel::auth {

// Tokens longer than this are refused (not stored, not used).
inline constexpr std::size_t max_system_token_bytes = 16 * 1024;
// A stored token this close to its expiry is treated as expired (a backfill page must finish before it lapses).
inline constexpr std::int64_t system_token_margin_s = 60;
// An exp further out than this is not believed (a planted token must not pin itself); it counts as unknown.
inline constexpr std::int64_t system_token_max_lifetime_s = 24 * 3600;

// The token's expiry (unix seconds): Atlassian documents both Forge OAuth tokens as JWTs whose `exp` claim is the
// expiration time. nullopt when the token is not a JWT, has no numeric exp, or exp is beyond now + max lifetime.
// The signature is not checked: only Jira can verify the token; Doppel only decides when to stop using it.
std::optional<std::int64_t> system_token_expiry(std::string_view token, std::int64_t now_s);

// A header value Doppel accepts as a token: 1..max_system_token_bytes printable ASCII, no spaces.
bool plausible_system_token(std::string_view token);

// Why a stored token cannot be used now: "" (usable), "forge_token_missing", "forge_token_expired".
// expires_s = nullopt means unknown expiry (usable until Jira rejects it).
std::string system_token_problem(bool stored, std::optional<std::int64_t> expires_s, std::int64_t now_s);

// Admin-facing sentence for a backfill wait reason (forge_token_missing | forge_token_expired |
// forge_token_rejected); a generic sentence for anything else.
std::string backfill_wait_message(std::string_view reason);

}  // namespace doppel::auth
