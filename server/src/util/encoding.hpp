// Byte encodings shared by every layer: hex, base64 and base64url (RFC 4648), constant-time compare.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace doppel {

std::string hex_encode(std::string_view bytes);                        // lower-case
std::optional<std::string> hex_decode(std::string_view hex);           // nullopt on bad input
std::string base64_encode(std::string_view bytes);                     // padded
std::optional<std::string> base64_decode(std::string_view text);       // padded or not
std::string base64url_encode(std::string_view bytes);                  // unpadded
std::optional<std::string> base64url_decode(std::string_view text);    // strict alphabet, pad optional
bool constant_time_equal(std::string_view a, std::string_view b);      // length leaks, content does not
// %XX → byte (and '+' → space when plus_as_space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

}  // namespace doppel
