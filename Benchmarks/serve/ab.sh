#!/usr/bin/env bash
# Two ghost binaries side by side, alternately, each on a fresh folder: HTTP ingest (wrk, unique ids) and
# inbox drop-to-applied latency. For telling a change's cost from run-to-run noise.
# Usage: Benchmarks/serve/ab.sh OLD_GHOST NEW_GHOST [ROUNDS] [DROPS]
#   NEW_CONFIG=FILE: a ghost.yml for the NEW side only (the same binary twice, one setting apart)
#   (a release binary of another commit: git worktree add DIR COMMIT && DIR/Benchmarks/release-build.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
OLD=$1; NEW=$2; ROUNDS=${3:-3}; DROPS=${4:-300}
OUT=${BENCH_DIR:-$PWD/Benchmarks/out/ab}
mkdir -p "$OUT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# one NAME BINARY: starts the binary in a new folder, runs wrk for 8 s, stops it; then the same for drops.
one() {
    local name=$1 bin=$2 dir port pid rps
    for kind in ingest drops; do
        dir=$(mktemp -d "$OUT/$name-XXXX"); mkdir -p "$dir/src"
        printf 'export const App = () => null;\nconst last = "none";\n' > "$dir/src/App.tsx"
        if [ "$name" = new ] && [ -n "${NEW_CONFIG:-}" ]; then cp "$NEW_CONFIG" "$dir/ghost.yml"; fi
        port=$(free_port)
        (cd "$dir" && exec "$bin" serve --port "$port" --log-level warning) > "$dir.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
        sleep 1
        if [ $kind = ingest ]; then
            rps=$(wrk -t2 -c16 -d8s -s Benchmarks/serve/unique-patch.lua "http://127.0.0.1:$port/api/patches" | awk '/Requests\/sec/ {print $2}')
            echo "$name ingest $rps requests/s"
        else
            python3 Benchmarks/serve/drop-latency.py "$dir/patches" "$DROPS" .receipt.json > "$dir.drops"
            sort -n "$dir.drops" | awk -v n="$name" '{a[NR]=$1} END {printf "%s drops p50 %.2f ms p99 %.2f ms\n", n, a[int(NR*0.5)], a[int(NR*0.99)]}'
        fi
        kill -TERM $pid; wait $pid || true
        rm -rf "$dir"
    done
}
for _ in $(seq "$ROUNDS"); do one old "$OLD"; one new "$NEW"; done
