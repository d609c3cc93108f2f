#!/usr/bin/env bash
# Start time, resident memory and disk of `ghost serve` (release) per history size, in one run: a queue
# holding 0 (the reference), 100,000 and 1,000,000 finished patches. Each history is written as the host
# files patches (Benchmarks/history/synthesize.py: a patch and its receipt per patch, 1 in 50 failed, over
# the last 20 days) and indexed once with `ghost index rebuild`; then the host is started three times and
# the median is printed: time from exec to a 200 on /health, VmRSS once healthy. Each run also checks that
# a patch from the middle of the history, sent again, is answered `duplicate`, and with other content 409.
# Set REFERENCE_GHOST=/path/to/ghost to print an older build's figures beside (same histories, no index).
# Give 0 first: the other sizes' memory is printed against it.
# Usage: Benchmarks/history.sh [SIZE...]      (default: 0 100000 1000000; needs ~8 GB of disk per million)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(0 100000 1000000)
OUT=${BENCH_DIR:-$PWD/Benchmarks/out/history}
rm -rf "$OUT" && mkdir -p "$OUT"

echo "== building (release)"
BUILD_LOG=$(mktemp)
GHOST=$(Benchmarks/release-build.sh 2>"$BUILD_LOG") || { tail -30 "$BUILD_LOG"; exit 1; }

# measure BINARY DIR: "seconds_to_healthy rss_mb" (median of three starts), and the dedup answers.
measure() {
    python3 - "$1" "$2" <<'PY'
import http.client, json, os, socket, statistics, subprocess, sys, time
binary, folder = sys.argv[1], sys.argv[2]
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port
def request(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    r = c.getresponse(); data = r.read(); c.close(); return r.status, data
starts, rss, dedup = [], [], "-"
for attempt in range(3):
    port = free_port()
    begin = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--port", str(port), "--log-level", "error"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "serve.log"), "a"))
    while True:
        try:
            if request(port, "GET", "/health")[0] == 200: break
        except OSError:
            pass
        if proc.poll() is not None: sys.exit("ghost exited: see " + folder + "/serve.log")
        if time.monotonic() - begin > 600: sys.exit("no healthy answer in 600 s")
        time.sleep(0.002)
    starts.append(time.monotonic() - begin)
    time.sleep(0.3)
    with open(f"/proc/{proc.pid}/status") as f:
        rss.append(next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024)
    if attempt == 0 and os.environ.get("HISTORY_SIZE", "0") != "0":
        n = int(os.environ["HISTORY_SIZE"]) // 2
        patch = {"id": f"hist-{n}", "role": "ui_patch", "target_file": "src/App.tsx",
                 "patch": {"pattern": "const last = \"[^\"]*\";", "replacement": f"const last = \"hist-{n}\";"}}
        same = json.loads(request(port, "POST", "/api/patches", json.dumps(patch))[1])
        patch["patch"]["replacement"] = "other"
        other = request(port, "POST", "/api/patches", json.dumps(patch))[0]
        dedup = f"hist-{n} again: {same.get('result', {}).get('status', same)}; other content: {other}"
    proc.terminate(); proc.wait()
print(f"{statistics.median(starts):.3f} {statistics.median(rss):.1f} {dedup}")
PY
}

printf '\n%-10s %-10s %10s %10s %12s %8s  %s\n' build history start_s rss_mb "rss-empty" disk dedup
EMPTY_RSS=
for size in "${SIZES[@]}"; do
    dir="$OUT/$size"
    mkdir -p "$dir/patches" "$dir/src"
    printf 'export const App = () => null;\nconst last = "none";\n' > "$dir/src/App.tsx"
    if [ "$size" -gt 0 ]; then
        python3 Benchmarks/history/synthesize.py "$dir/patches" "$size"
        rebuild_start=$(date +%s.%N)
        (cd "$dir" && "$GHOST" index rebuild >/dev/null)
        echo "   (history $size: ghost index rebuild took $(echo "$(date +%s.%N) - $rebuild_start" | bc) s)" >&2
    fi
    disk=$(du -sh "$dir/patches" | cut -f1)
    read -r start rss dedup < <(HISTORY_SIZE=$size measure "$GHOST" "$dir")
    [ "$size" -gt 0 ] || EMPTY_RSS=$rss
    delta=$([ -n "$EMPTY_RSS" ] && printf '%+.1f MB' "$(echo "$rss - $EMPTY_RSS" | bc)" || echo "-")
    printf '%-10s %-10s %10s %10s %12s %8s  %s\n' ghost "$size" "$start" "$rss" "$delta" "$disk" "$dedup"
    if [ -n "${REFERENCE_GHOST:-}" ]; then
        rm -f "$dir/patches/.ghost/history.sqlite"*
        read -r start rss dedup < <(HISTORY_SIZE=$size measure "$REFERENCE_GHOST" "$dir")
        printf '%-10s %-10s %10s %10s %12s %8s  %s\n' reference "$size" "$start" "$rss" "-" "$disk" "$dedup"
    fi
    [ "${KEEP_HISTORY:-0}" = 1 ] || rm -rf "$dir"
done
