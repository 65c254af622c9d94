# Sourced by tests/checks/*.sh: installs tests/tools' locked npm deps once (npm ci), serialised by a lock.
doppel_tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

doppel_ensure_tool_deps() {
  local marker="$doppel_tools_dir/node_modules/.package-lock.json"
  if [[ -f "$marker" && ! "$doppel_tools_dir/package-lock.json" -nt "$marker" ]]; then
    return 0
  fi
  local lock="${DOPPEL_BUILD_DIR:-${TMPDIR:-/tmp}}/doppel-tools-npm.lock"
  (
    flock 9
    if [[ ! -f "$marker" || "$doppel_tools_dir/package-lock.json" -nt "$marker" ]]; then
      echo "installing tests/tools dependencies (npm ci)"
      npm ci --prefix "$doppel_tools_dir" --no-audit --no-fund --loglevel=error
    fi
  ) 9>"$lock"
}
