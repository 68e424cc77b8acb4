#!/usr/bin/env bash
# The whole test suite (SQLite files, a private PostgreSQL server, Qt offscreen),
# then the benchmark harness in smoke mode so it keeps working.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
python3 -m pytest -q "$@"
if [ -f benchmarks/__main__.py ]; then
  python3 -m benchmarks --smoke
fi
