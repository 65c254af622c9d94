#!/usr/bin/env bash
# Builds the frontend from its lockfile and runs its component/unit tests (Vitest + jsdom).
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root/frontend"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
test -f dist/panel.html && test -f dist/admin.html && test -f dist/dashboard.html
grep -q 'src="/static/assets/' dist/panel.html
npm test
