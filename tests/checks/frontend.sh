#!/usr/bin/env bash
# Builds the frontend (Connect dist/ and Forge dist-forge/) from its lockfile and runs its Vitest + jsdom tests.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root/frontend"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
test -f dist/panel.html && test -f dist/admin.html && test -f dist/dashboard.html
grep -q 'src="/static/assets/' dist/panel.html
grep -q 'connect-cdn.atl-paas.net/all.js' dist/panel.html
# The Forge Custom UI build: relative asset URLs, no Connect all.js, @forge/bridge bundled.
npm run build:forge
for page in panel admin dashboard uim; do  # uim: the create dialog's UI modification (Forge only)
  test -f "dist-forge/$page.html"
  ! grep -Eq '(src|href)="/static/|atl-paas' "dist-forge/$page.html"
done
npm test
