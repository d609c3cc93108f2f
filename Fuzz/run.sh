#!/usr/bin/env bash
# Fuzzes the envelope parser and the content appliers (the PCRE2 regex applier above all, the JSON roles) with libFuzzer.
#
#   Fuzz/run.sh [RUNS]        # default 1000000 executions
#
# Seeds: Fixtures/fuzz/seeds/ (raw `pattern\0replacement\0flags\0subject` inputs and a patch) and
# Fixtures/real-world/ (the users' patches). Earlier findings in Fixtures/fuzz/crashes/ are replayed first;
# a new crash is written there (crash-<sha1>) and the script fails. Needs only the Swift toolchain.
set -euo pipefail
runs=${1:-1000000}
cd "$(dirname "$0")"
# -sanitize=fuzzer instruments every module for coverage; lld, because gold trips over the two mains.
swift build -c release --product ghost-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld >&2
bin=$(swift build -c release --show-bin-path -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld)/ghost-fuzz
findings=(../Fixtures/fuzz/crashes/crash-*)
if [ -e "${findings[0]}" ]; then "$bin" "${findings[@]}"; fi
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
log="$corpus/fuzz.log"
start=$(date +%s.%N)
status=0
"$bin" -runs="$runs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=../Fixtures/fuzz/crashes/ "$corpus" ../Fixtures/fuzz/seeds ../Fixtures/real-world >"$log" 2>&1 || status=$?
end=$(date +%s.%N)
grep -E 'DONE|^Done|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written' "$log" || true
echo "fuzz: $runs executions requested, exit $status, $(echo "$end - $start" | bc) s, crashes: $([ "$status" = 0 ] && echo 0 || echo 'see above')"
exit "$status"
