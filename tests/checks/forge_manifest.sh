#!/usr/bin/env bash
# Validates the Forge Remote and Connect-on-Forge manifests with @forge/manifest (schema + lint) and Doppel's rules.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(pwd)}"
source "$root/tests/tools/ensure-deps.sh"
doppel_ensure_tool_deps
node "$root/tests/tools/check-forge-manifest.mjs" "$root"
