#!/usr/bin/env bash
# Builds the libFuzzer targets for the JWT decoder/policy, the qsh canonicaliser and the tenant host allowlist
# with ASan+UBSan straight from the sources they need, seeds them from the Atlassian conformance vectors and
# runs each for a bounded time. Fails on any crash, sanitizer report or build error. Env: FUZZ_SECONDS (default 20), DOPPEL_BUILD_DIR.
set -euo pipefail

root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
seconds="${FUZZ_SECONDS:-20}"
out="${DOPPEL_BUILD_DIR:-$root/build}/fuzz-auth"
shared="${DOPPEL_SHARED_DIR:-$root/../shared}"
cxx="${FUZZ_CXX:-clang++}"

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz_auth: $cxx not found (apt-get install clang)" >&2
  exit 1
fi
mkdir -p "$out"

flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -I "$root/server/src" -DBOOST_ASIO_NO_DEPRECATED)
common=("$root/server/src/util/encoding.cpp" "$root/server/src/auth/qsh.cpp")
jwt_sources=("$root/server/src/auth/jwt.cpp" "$root/server/src/auth/rsa_key.cpp" "$root/server/src/auth/policy.cpp"
             "$root/server/src/auth/context_claims.cpp")
libs=(-lboost_json -lssl -lcrypto)

echo "fuzz_auth: building with $cxx into $out"
"$cxx" "${flags[@]}" "$root/tests/fuzz/fuzz_jwt.cpp" "${common[@]}" "${jwt_sources[@]}" "${libs[@]}" -o "$out/fuzz_jwt"
"$cxx" "${flags[@]}" "$root/tests/fuzz/fuzz_qsh.cpp" "${common[@]}" "${libs[@]}" -o "$out/fuzz_qsh"
"$cxx" "${flags[@]}" "$root/tests/fuzz/fuzz_allowlist.cpp" "$root/server/src/auth/host_allowlist.cpp" -lboost_url \
  -o "$out/fuzz_allowlist"

# Seed corpora: the conformance tokens and URLs (kept small; libFuzzer grows them in a scratch dir).
rm -rf "$out/corpus_jwt" "$out/corpus_qsh" "$out/corpus_allowlist"
mkdir -p "$out/corpus_jwt" "$out/corpus_qsh" "$out/corpus_allowlist"
set +o pipefail  # head closes the pipes early on purpose
if [[ -f "$shared/conformance/jwt-signed-urls.json" ]]; then
  i=0
  grep -o 'jwt=[A-Za-z0-9_.-]*' "$shared/conformance/jwt-signed-urls.json" | sort -u | head -20 | while read -r t; do
    printf '%s' "${t#jwt=}" > "$out/corpus_jwt/seed$((i++))"
  done
  grep -o '"signedUrl": *"[^"]*"' "$shared/conformance/jwt-signed-urls.json" | sed 's/.*"https:\/\/example.com//; s/"$//' |
    sort -u | head -40 | while read -r u; do
      printf 'A%s' "$u" > "$out/corpus_qsh/seed$((i++))"
    done
fi
set -o pipefail
printf 'Ahttps://h.example/base/p?a=1&a=2\0https://h.example/base' > "$out/corpus_qsh/seed_base"
printf 'eyJhbGciOiJub25lIn0.eyJleHAiOjF9.' > "$out/corpus_jwt/seed_none"
printf 'https://acme.atlassian.net/jira' > "$out/corpus_allowlist/seed1"
printf 'http://127.0.0.1:8080' > "$out/corpus_allowlist/seed2"
printf 'https://user@jira.local:8443/' > "$out/corpus_allowlist/seed3"

status=0
( cd "$out" && ./fuzz_jwt -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 corpus_jwt > fuzz_jwt.log 2>&1 ) || status=1
tail -n 6 "$out/fuzz_jwt.log"
( cd "$out" && ./fuzz_qsh -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 corpus_qsh > fuzz_qsh.log 2>&1 ) || status=1
tail -n 6 "$out/fuzz_qsh.log"
( cd "$out" && ./fuzz_allowlist -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=512 corpus_allowlist > fuzz_allowlist.log 2>&1 ) || status=1
tail -n 6 "$out/fuzz_allowlist.log"
if [[ $status -ne 0 ]]; then
  echo "fuzz_auth: FAILED (see $out/fuzz_*.log and crash-* files in $out)" >&2
  exit 1
fi
echo "fuzz_auth: no crashes"
