#!/usr/bin/env bash
# Many hosts on one PostgreSQL beside the embedded single host, in one run (Benchmarks/many-hosts/bench.py):
# ingest (wrk, 16 connections, unique ids) and the time to apply it all, inbox drop->applied latency, and
# database round trips per patch, for the embedded host and for 1, 2 and 4 hosts on one database.
# A throwaway PostgreSQL cluster is started for the run (scripts/with-postgres.sh).
# Usage: Benchmarks/many-hosts.sh [SECONDS] [DROPS]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
echo "== building (release)"
BUILD_LOG=$(mktemp)
GHOST=$(Benchmarks/release-build.sh 2>"$BUILD_LOG") || { tail -30 "$BUILD_LOG"; exit 1; }
scripts/with-postgres.sh python3 Benchmarks/many-hosts/bench.py "$GHOST" "${1:-10}" "${2:-100}"
