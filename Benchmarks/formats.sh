#!/usr/bin/env bash
# Edit formats against drift, and diff throughput, in one run:
#   real edits from this repository's history applied as written and under six kinds of drift by ghost
#   (search_replace, unified_diff, apply_patch), `git apply` and GNU `patch`: applied exactly / failed (with a
#   hint) / WRONG (a silent wrong edit, which must be 0);
#   a 1,000-hunk unified diff on a 10 MB file: ghost against git apply and GNU patch, whole process.
# Usage: Benchmarks/formats.sh [CASES] [RUNS] [REVISION]   (GHOST=path skips the release build; the cases come
#   from the history up to REVISION, by default the commit docs/benchmarks.md was measured on)
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-150}
RUNS=${2:-5}
OUT=${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm/ghost-formats || echo Benchmarks/out/formats )}
command -v patch >/dev/null || { echo "GNU patch is needed: apt-get install patch"; exit 2; }
GHOST=${GHOST:-$(Benchmarks/release-build.sh)}
echo "== ghost: $GHOST ($("$GHOST" --version))"
status=0
python3 Benchmarks/formats/formats.py "$GHOST" "$OUT/drift" "$CASES" "${3:-8ad1719}" || status=$?
python3 Benchmarks/formats/throughput.py "$GHOST" "$OUT/throughput" "$RUNS"
rm -rf "$OUT"
exit $status
