#!/usr/bin/env bash
# HTTP ingest (wrk, 16 connections, unique ids) and inbox drop-to-applied latency, side by side in one run:
#   ghost serve (release)  vs  the seed reference (Flask receiver + Node polling loop, ../shared/bench/seed-reference).
# Also the idle resident memory of each, and the durability floor (Benchmarks/serve/durability-floor.c: only the
# fsyncs, renames and file creations a drop must wait for, in C, on the same disk). Every accepted ghost patch is
# checked to be applied.
# Usage: Benchmarks/serve-ingest.sh [SECONDS] [DROPS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
DROPS=${2:-200}
SEED=${SEED_REFERENCE:-../shared/bench/seed-reference}
# On disk by default: durable acknowledgement means fsync, and fsync on tmpfs would flatter it.
OUT=${BENCH_DIR:-$PWD/Benchmarks/out/serve}
rm -rf "$OUT" && mkdir -p "$OUT"
for tool in wrk python3 node; do command -v $tool >/dev/null || { echo "$tool is needed (apt-get install wrk nodejs)"; exit 2; }; done
python3 -c 'import flask' 2>/dev/null || { echo "Flask is needed for the seed reference (pip install flask)"; exit 2; }

echo "== building (release)"
BUILD_LOG=$(mktemp)
GHOST=$(Benchmarks/release-build.sh 2>"$BUILD_LOG") || { tail -30 "$BUILD_LOG"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.05; done; echo "no answer on $1"; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
workspace() { mkdir -p "$1/src"; printf 'export const App = () => null;\nconst last = "none";\n' > "$1/src/App.tsx"; }
# run_wrk PORT PATH NAME: prints requests/s and leaves wrk's report in $OUT/NAME.wrk
run_wrk() {
    wrk -t2 -c16 -d"${SECONDS_RUN}s" -s Benchmarks/serve/unique-patch.lua "http://127.0.0.1:$1$2" > "$OUT/$3.wrk"
    awk '/Requests\/sec/ {print $2}' "$OUT/$3.wrk"
}
cleanup() { kill $(jobs -p) 2>/dev/null || true; }
trap cleanup EXIT

echo "== seed reference: Flask receiver + Node loop (poll ${SEED_POLL_MS:-5000} ms)"
workspace "$OUT/seed/ws"
SEED_PORT=$(free_port)
PATCH_DIR="$OUT/seed/patches" python3 "$SEED/ghost_runner.py" "$SEED_PORT" >"$OUT/seed-flask.log" 2>&1 &
SEED_FLASK=$!
PATCH_DIR="$OUT/seed/patches" WORKSPACE="$OUT/seed/ws" POLL_MS=${SEED_POLL_MS:-5000} node "$SEED/patch-executor-loop.js" >"$OUT/seed-node.log" 2>&1 &
SEED_NODE=$!
wait_http "$SEED_PORT"
sleep 1
SEED_RSS=$(( $(rss_kb $SEED_FLASK) + $(rss_kb $SEED_NODE) ))
SEED_RPS=$(run_wrk "$SEED_PORT" /api/patches seed)
echo "   ingest: $SEED_RPS requests/s"
# Let the loop drain the HTTP backlog before timing drops (a drop waits behind the backlog otherwise).
while ls "$OUT/seed/patches"/*.json >/dev/null 2>&1; do sleep 0.5; done
SEED_DROPS=${SEED_DROPS:-5}
python3 Benchmarks/serve/drop-latency.py "$OUT/seed/patches" "$SEED_DROPS" .json > "$OUT/seed-drops.txt"
kill $SEED_FLASK $SEED_NODE; wait $SEED_FLASK $SEED_NODE 2>/dev/null || true

echo "== ghost serve"
workspace "$OUT/ghost"
GHOST_PORT=$(free_port)
(cd "$OUT/ghost" && exec "$GHOST" serve --port "$GHOST_PORT" --log-level warning) >"$OUT/ghost.log" 2>&1 &
GHOST_PID=$!
wait_http "$GHOST_PORT"
sleep 2
GHOST_RSS=$(rss_kb $GHOST_PID)
GHOST_RPS=$(run_wrk "$GHOST_PORT" /api/patches ghost)
echo "   ingest: $GHOST_RPS requests/s"
TOTAL=$(awk '/requests in/ {print $1}' "$OUT/ghost.wrk")
NON2XX=$(awk '/Non-2xx/ {print $5}' "$OUT/ghost.wrk"); NON2XX=${NON2XX:-0}
ACCEPTED=$((TOTAL - NON2XX))
echo "   waiting for the queue to drain ($ACCEPTED accepted)"
START_DRAIN=$(date +%s.%N)
# Drained when the host reports depth 0 and nothing in hand.
depth() { curl -s "http://127.0.0.1:$GHOST_PORT/api/status" | python3 -c 'import json,sys; q=json.load(sys.stdin)["queues"]["default"]; print(int(q["depth"]) + (q["in_hand"] is not None))'; }
while [ "$(depth)" != 0 ]; do sleep 0.5; done
DRAIN=$(echo "$(date +%s.%N) - $START_DRAIN" | bc)
APPLIED=$(find "$OUT/ghost/patches/.completed" -name '*.receipt.json' -print0 | xargs -0 grep -l '"status":"applied"' | wc -l)
FAILED=$(ls "$OUT/ghost/patches/.failed" | wc -l)
python3 Benchmarks/serve/drop-latency.py "$OUT/ghost/patches" "$DROPS" .receipt.json > "$OUT/ghost-drops.txt"
kill -TERM $GHOST_PID; wait $GHOST_PID || true

echo "== durability floor: only the disk operations a drop must wait for, in C"
cc -O2 -o "$OUT/durability-floor" Benchmarks/serve/durability-floor.c -lpthread
mkdir -p "$OUT/floor"
"$OUT/durability-floor" "$OUT/floor" "$DROPS" > "$OUT/floor-drops.txt"

percentile() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; printf "%.2f", a[i]}'; }
echo
echo "== results (wrk -t2 -c16 -d${SECONDS_RUN}s, unique ids; drops renamed into the inbox one at a time)"
printf '%-34s %14s %14s %10s\n' "" "seed reference" "ghost serve" "ratio"
printf '%-34s %14.0f %14.0f %9.1fx\n' "HTTP ingest, requests/s" "$SEED_RPS" "$GHOST_RPS" "$(echo "$GHOST_RPS / $SEED_RPS" | bc -l)"
for p in 50 99; do
    S=$(percentile "$OUT/seed-drops.txt" $p); G=$(percentile "$OUT/ghost-drops.txt" $p)
    printf '%-34s %14s %14s %9.0fx\n' "drop-to-applied p$p, ms" "$S" "$G" "$(echo "$S / $G" | bc -l)"
done
printf '%-34s %14s %14s %10s\n' "durability floor p50 / p99, ms" "" "$(percentile "$OUT/floor-drops.txt" 50) / $(percentile "$OUT/floor-drops.txt" 99)" ""
printf '%-34s %14s %14s\n' "idle RSS, MB" "$(echo "scale=1; $SEED_RSS/1024" | bc)" "$(echo "scale=1; $GHOST_RSS/1024" | bc)"
echo
echo "ghost: $ACCEPTED accepted (2xx), $APPLIED receipts 'applied', $FAILED files in .failed, queue drained ${DRAIN%.*}s after wrk ended"
echo "seed drops: $(wc -l < "$OUT/seed-drops.txt") samples (its loop polls every ${SEED_POLL_MS:-5000} ms); ghost drops: $DROPS samples"
if [ "$APPLIED" -lt "$ACCEPTED" ] || [ "$FAILED" -ne 0 ]; then echo "FAIL: not every accepted patch was applied"; exit 1; fi
