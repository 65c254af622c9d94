#!/usr/bin/env bash
# Builds the service (build/doppel) and the frontend bundle (frontend/dist). Extra args go to cmake configure.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)  # a compiler cache, when installed
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >/dev/null
cmake --build build -j"$(nproc)"
if [[ -f frontend/package.json ]]; then
  # npm ci when the packages are missing or older than the lock file (a pull that changed the dependencies).
  (cd frontend && { [[ node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund --loglevel=error; } &&
    npm run --silent build)
fi
