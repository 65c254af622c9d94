// Atlassian query string hash (qsh): canonical request "METHOD&URI&QUERY" and its SHA-256, per platform doc §4.
#pragma once

#include <string>
#include <string_view>

namespace doppel::auth {

// The literal qsh of context tokens (AP.context.getToken()); accepted only on api routes.
inline constexpr std::string_view context_qsh = "context-qsh";

// Canonical request for a request target as received or sent.
//   method      any case; upper-cased.
//   raw_target  "path?query" still percent-encoded (a full "scheme://host/path?query" URL is accepted too;
//               a "#fragment" is ignored).
//   base        the receiver's base URL or just its path ("https://x.example/addon" or "/addon"); its path is
//               stripped from the front of the request path segment-wise ("/addon" strips "/addon/x", not
//               "/addons/x"). Empty = nothing stripped.
// Example: canonical_request("get", "/p?b=2&a=1&jwt=x", "") == "GET&/p&a=1&b=2".
std::string canonical_request(std::string_view method, std::string_view raw_target, std::string_view base = {});

// Same, but with the path percent-decoded first (Jira sometimes hashes the decoded path).
std::string canonical_request_decoded_path(std::string_view method, std::string_view raw_target,
                                           std::string_view base = {});

// Lower-case hex SHA-256 of a canonical request.
std::string query_string_hash(std::string_view canonical);

// query_string_hash(canonical_request(method, raw_target, base)).
std::string compute_qsh(std::string_view method, std::string_view raw_target, std::string_view base = {});

// True if claimed equals the qsh of the raw request, or, only when the raw path contains '%', the qsh
// with the decoded path (one retry, never accept without a match). Constant-time comparisons.
bool qsh_matches(std::string_view claimed, std::string_view method, std::string_view raw_target,
                 std::string_view base = {});

// Pieces, exposed for tests and for the outgoing client.
std::string canonical_uri(std::string_view raw_path, std::string_view base_path);
std::string canonical_query(std::string_view raw_query);
std::string base_path_of(std::string_view base_url_or_path);  // "https://h/a/b/" -> "/a/b"; "" or "/" -> ""
std::string rfc3986_encode(std::string_view bytes);           // keeps A-Z a-z 0-9 - . _ ~ ; upper-case hex
std::string form_decode(std::string_view text);               // '+' -> ' ', %XX -> byte, invalid UTF-8 -> U+FFFD

}  // namespace doppel::auth
