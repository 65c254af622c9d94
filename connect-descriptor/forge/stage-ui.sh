#!/usr/bin/env bash
# Stages the Forge build of the frontend as the Custom UI resources static/{panel,admin,dashboard,uim}.
# Usage: stage-ui.sh [DIST_DIR] [OUT_DIR]   (defaults: ../../frontend/dist-forge, ./static)
# Build DIST_DIR first with `npm --prefix frontend run build:forge` (relative asset URLs: Custom UI
# serves each resource from its own origin, so Connect's absolute /static/ URLs would not resolve).
# Each resource directory gets the page as index.html plus every non-HTML file of the build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dist="${1:-$here/../../frontend/dist-forge}"
out="${2:-$here/static}"
pages=(panel admin dashboard uim)

for page in "${pages[@]}"; do
  if [[ ! -f "$dist/$page.html" ]]; then
    echo "stage-ui: $dist/$page.html is missing; run npm --prefix frontend run build:forge" >&2
    exit 2
  fi
  if grep -Eq '(src|href)="/static/' "$dist/$page.html"; then
    echo "stage-ui: $dist/$page.html loads assets from absolute /static/ URLs; use the build:forge output" >&2
    exit 2
  fi
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
for page in "${pages[@]}"; do
  rm -rf "${out:?}/$page"
  mkdir -p "$out/$page"
  (cd "$dist" && find . -type f ! -name '*.html' -exec cp --parents -p {} "$out/$page" \;)
  cp "$dist/$page.html" "$out/$page/index.html"
done
echo "stage-ui: staged ${pages[*]} from $dist into $out"
