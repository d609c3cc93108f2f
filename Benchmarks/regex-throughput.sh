#!/usr/bin/env bash
# Regex throughput over a 64 MB file, whole process to exit, side by side in one run:
#   ghost apply (release)  vs  the C limit (one JIT pcre2_substitute + the same I/O),  a C loop of JIT matches with
#   the same I/O (the technique ghost uses),  perl -pi,  NSRegularExpression;
# and one small patch through `ghost apply`, process start to exit.
# Usage: Benchmarks/regex-throughput.sh [MEGABYTES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-64}
RUNS=${2:-5}
# Work files live on tmpfs by default so the figures measure the tools, not the disk's fsync latency
# (every tool runs in the same place); BENCH_DIR=/some/disk/folder measures on a disk instead.
OUT=${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm/ghost-bench || echo Benchmarks/out )}
mkdir -p "$OUT/work"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine"; exit 2; }

echo "== building (release)"
# The static Swift standard library halves process start-up (no dynamic Foundation/ICU loading).
swift build -c release --product ghost --static-swift-stdlib -Xlinker --strip-all --scratch-path .build-release >/dev/null
GHOST=$(swift build -c release --static-swift-stdlib -Xlinker --strip-all --scratch-path .build-release --show-bin-path)/ghost
(cd Benchmarks/NSRegexBaseline && swift build -c release >/dev/null)
NSREGEX=$(cd Benchmarks/NSRegexBaseline && swift build -c release --show-bin-path)/nsregex-baseline
cc -O2 -o "$OUT/pcre2-limit" Benchmarks/c-limit/pcre2_limit.c $(pkg-config --cflags --libs libpcre2-8)
cc -O2 -o "$OUT/pcre2-loop" Benchmarks/c-limit/pcre2_loop.c $(pkg-config --cflags --libs libpcre2-8)

echo "== generating a ${MB} MB TSX-like file"
python3 - "$OUT/input.tsx" "$MB" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
line = '      <Text style={styles.label}>Item {n} ✅ ready</Text>\n'
with open(path, 'w', encoding='utf-8') as f:
    size, n, marked = 0, 0, False
    while size < mb * 1024 * 1024:
        s = line.replace('{n}', str(n)); f.write(s); size += len(s.encode()); n += 1
        if not marked and size >= mb * 1024 * 1024 // 2:
            # The one line the sparse scenario's pattern matches, half way through the file.
            f.write('      <Text>This text will be patched.</Text>\n'); marked = True
PY
BYTES=$(stat -c %s "$OUT/input.tsx")
# The file is a little over MB MiB, more than ghost's default 64 MiB file limit: allow twice its size.
LIMIT=$((BYTES * 2))
PATTERN='<Text style=\{styles\.label\}>(.*?)</Text>'
cat > "$OUT/patch.json" <<JSON
{"id": "bench", "role": "ui_patch", "target_file": "target.tsx",
 "patch": {"pattern": "<Text style=\\\\{styles\\\\.label\\\\}>(.*?)</Text>", "replacement": "<Label>\$1</Label>"}}
JSON

# compare RESULT_JSON PATCH_JSON PATTERN REPLACEMENT PERL_SUBSTITUTION: every tool on the same file, one hyperfine run.
compare() {
    hyperfine --style basic --runs "$RUNS" --warmup 1 --prepare "cp $OUT/input.tsx $OUT/work/target.tsx" \
        --export-json "$1" \
        -n c-limit "$OUT/pcre2-limit $OUT/work/target.tsx '$3' '$4'" \
        -n c-loop "$OUT/pcre2-loop $OUT/work/target.tsx '$3' '$4'" \
        -n ghost "$GHOST apply --max-file-bytes $LIMIT --workspace $OUT/work $2" \
        -n perl "perl -pi -e '$5' $OUT/work/target.tsx" \
        -n NSRegularExpression "$NSREGEX $OUT/work/target.tsx '$3' '$4'" >/dev/null
}

echo "== ${RUNS} runs each (the file is restored before every run, untimed)"
compare "$OUT/throughput.json" "$OUT/patch.json" "$PATTERN" '<Label>$1</Label>' \
    's/<Text style=\{styles\.label\}>(.*?)<\/Text>/<Label>$1<\/Label>/g'

# Scenario 2, a real ui_patch: the pattern of Fixtures/real-world/v1-dummy-ui-patch.json, matching once in the file.
cat > "$OUT/sparse.json" <<'JSON'
{"id": "sparse", "role": "ui_patch", "target_file": "target.tsx",
 "patch": {"pattern": "<Text>This text will be patched\\.</Text>", "replacement": "<Text>PATCHED</Text>"}}
JSON
compare "$OUT/sparse-result.json" "$OUT/sparse.json" '<Text>This text will be patched\.</Text>' '<Text>PATCHED</Text>' \
    's/<Text>This text will be patched\.<\/Text>/<Text>PATCHED<\/Text>/g'

# Check that both C programs produce the same bytes as ghost, in both scenarios.
same_bytes() {  # PATCH_JSON PATTERN REPLACEMENT
    cp "$OUT/input.tsx" "$OUT/work/target.tsx"; "$GHOST" apply --max-file-bytes $LIMIT --workspace "$OUT/work" "$1" >/dev/null; sha256sum < "$OUT/work/target.tsx" > "$OUT/ghost.sha"
    for tool in pcre2-limit pcre2-loop; do
        cp "$OUT/input.tsx" "$OUT/work/target.tsx"; "$OUT/$tool" "$OUT/work/target.tsx" "$2" "$3" >/dev/null
        cmp -s <(sha256sum < "$OUT/work/target.tsx") "$OUT/ghost.sha" || { echo "$tool output differs from ghost's for $1"; exit 1; }
    done
}
same_bytes "$OUT/patch.json" "$PATTERN" '<Label>$1</Label>'
same_bytes "$OUT/sparse.json" '<Text>This text will be patched\.</Text>' '<Text>PATCHED</Text>'

echo "== one small patch, process start to exit"
printf '<Text>old</Text>\n' > "$OUT/small.orig"
cat > "$OUT/small.json" <<'JSON'
{"id": "small", "role": "ui_patch", "target_file": "small.tsx", "patch": {"pattern": "old", "replacement": "new"}}
JSON
hyperfine --style basic --runs 100 --warmup 5 --prepare "cp $OUT/small.orig $OUT/work/small.tsx" \
    --export-json "$OUT/small.json.out" -n "ghost apply (small patch)" "$GHOST apply --workspace $OUT/work $OUT/small.json" >/dev/null

python3 - "$OUT/throughput.json" "$OUT/small.json.out" "$BYTES" "$OUT/sparse-result.json" <<'PY'
import json, sys
mb = int(sys.argv[3]) / 1e6
for title, path in [("a match on every line", sys.argv[1]), ("one match (the real-world ui_patch's pattern)", sys.argv[4])]:
    runs = {r["command"]: r for r in json.load(open(path))["results"]}
    limit = runs["c-limit"]["median"]
    print(f"\nregex throughput, {mb:.0f} MB file, {title}, median of {len(runs['ghost']['times'])} runs (whole process):")
    loop = runs["c-loop"]["median"]
    print(f"{'tool':<22}{'seconds':>9}{'MB/s':>9}{'vs C limit':>12}{'vs C loop':>11}{'ghost is':>11}")
    for name in ["c-limit", "c-loop", "ghost", "perl", "NSRegularExpression"]:
        t = runs[name]["median"]
        print(f"{name:<22}{t:>9.3f}{mb/t:>9.1f}{limit/t:>11.2f}x{loop/t:>10.2f}x{t/runs['ghost']['median']:>10.2f}x")
small = json.load(open(sys.argv[2]))["results"][0]
print(f"\nsmall patch through ghost apply: median {small['median']*1000:.1f} ms, max {small['max']*1000:.1f} ms ({len(small['times'])} runs)")
PY
