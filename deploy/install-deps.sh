#!/usr/bin/env bash
# Installs the Debian packages Doppel needs to build, run and test (idempotent; needs root or sudo).
# usage: deploy/install-deps.sh [--test]   (--test adds the browser and tools the test suite uses)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libpqxx-dev libsimdjson-dev libspdlog-dev doctest-dev
  libicu-dev libstemmer-dev zlib1g-dev libsystemd-dev
  postgresql-15 postgresql-client-15 nodejs npm
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium clang libclang-rt-14-dev python3 python3-yaml systemd caddy)
fi

missing=()
for p in "${packages[@]}"; do
  # nodejs/npm may come from outside Debian (e.g. a preinstalled Node 20): accept the commands.
  if [[ "$p" == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ "$p" == npm ]] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if dpkg-query -W -f='${Status}' libboost-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "install-deps: libboost-dev (1.74) is installed and conflicts with Boost 1.81; remove it" >&2
  exit 1
fi
echo "install-deps: all packages present"
