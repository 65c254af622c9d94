#!/usr/bin/env bash
# Renders the Connect descriptor template and validates it (JSON schema, routes, scopes, limits).
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(pwd)}"
source "$root/tests/tools/ensure-deps.sh"
doppel_ensure_tool_deps
node "$root/tests/tools/check-descriptor.mjs" "$root"
