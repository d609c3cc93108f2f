#!/usr/bin/env bash
# Builds the release ghost the way it is installed and prints the binary's path.
#   --static-swift-stdlib: no Swift runtime, Foundation or ICU loaded dynamically at start-up;
#   --strip-all: no symbol tables to map;
#   lld with -z pack-relative-relocs (DT_RELR), when the C library supports it (glibc 2.36 or later): the
#   binary's ~110,000 relative relocations take 21 KB instead of 2.6 MB, which the loader no longer reads
#   at every start (idle RSS about 4 MB lower).
# Usage: Benchmarks/release-build.sh [SCRATCH_PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${1:-.build-release}
FLAGS=(-c release --product ghost --static-swift-stdlib -Xlinker --strip-all --scratch-path "$SCRATCH")
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
if [ -n "$glibc" ] && printf '2.36\n%s\n' "$glibc" | sort -V -C; then
    FLAGS+=(-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
fi
swift build "${FLAGS[@]}" >&2
echo "$(swift build "${FLAGS[@]}" --show-bin-path)/ghost"
