#!/usr/bin/env bash
# Graceful shutdown drains in-flight requests (see server_drain.py).
set -euo pipefail
exec python3 "$(dirname "$0")/server_drain.py"
