// Expected-failure values: result<T> holds either a value or an error with a stable code.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace doppel {

// Expected failures, mapped to HTTP statuses in exactly one place (net/http_errors).
enum class errc {
  bad_request,        // 400 malformed input
  unauthorized,       // 401 missing/invalid credentials
  forbidden,          // 403 authenticated but not allowed
  not_found,          // 404
  method_not_allowed, // 405
  conflict,           // 409
  payload_too_large,  // 413
  unprocessable,      // 422 well-formed but semantically invalid
  rate_limited,       // 429
  unavailable,        // 503 dependency down (database, key server)
  upstream,           // 502 a remote (Jira, key server) answered badly
  internal,           // 500
};

struct error {
  errc code = errc::internal;
  std::string stable_code;  // machine-readable, e.g. "jwt_expired"
  std::string message;      // human text; never secrets, SQL or issue text
};

inline error make_error(errc code, std::string stable_code, std::string message) {
  return error{code, std::move(stable_code), std::move(message)};
}

template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  result(doppel::error err) : v_(std::move(err)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const doppel::error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, doppel::error> v_;
};

// For operations that return nothing on success.
struct ok_t {};
using status = result<ok_t>;
inline status ok() { return ok_t{}; }

}  // namespace doppel
