#!/usr/bin/env bash
# Builds the service (build/doppel) and the frontend bundle (frontend/dist). Extra args go to cmake configure.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
if [[ -f frontend/package.json ]]; then
  (cd frontend && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
fi
