#!/usr/bin/env python3
"""A 1,000-hunk unified diff on a 10 MB file: ghost's unified_diff role against `git apply` and GNU `patch`
on the same diff and file, whole process to exit, median of RUNS runs each (work files on WORKDIR).

Usage: throughput.py GHOST WORKDIR [RUNS]
"""
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main():
    ghost, work = sys.argv[1], Path(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    shutil.rmtree(work, ignore_errors=True)
    (work / "a").mkdir(parents=True)
    (work / "b").mkdir()
    lines = [f"    let value{n} = compute({n}, label: \"item {n}\") // {n * 7919 % 1000}\n" for n in range(170_000)]
    old = "".join(lines)
    step = len(lines) // 1000
    for hunk in range(1000):
        index = hunk * step + step // 2
        lines[index] = lines[index].replace("compute", "computeFaster")
    new = "".join(lines)
    (work / "a" / "big.swift").write_text(old)
    (work / "b" / "big.swift").write_text(new)
    # GNU diff's headers name a/big.swift and b/big.swift: every tool strips one folder (-p1).
    diff = subprocess.run(["diff", "-u", "a/big.swift", "b/big.swift"], cwd=work, capture_output=True, text=True).stdout
    hunks = diff.count("\n@@ ")
    (work / "change.diff").write_text(diff)
    patch = json.dumps({"id": "big", "role": "unified_diff", "target_file": "big.swift", "patch": {"diff": diff}})
    (work / "patch.json").write_text(patch)
    size_mb = len(old.encode()) / 1e6

    def timed(name, command, check_ok):
        times = []
        for _ in range(runs):
            folder = work / "run"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            shutil.copy(work / "a" / "big.swift", folder / "big.swift")
            subprocess.run(["git", "init", "-q"], cwd=folder, check=True) if name == "git apply" else None
            started = time.perf_counter()
            result = subprocess.run(command(folder), cwd=folder, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            if not check_ok(result) or (folder / "big.swift").read_text() != new:
                sys.exit(f"{name} did not produce the new file: {result.stdout[:300]} {result.stderr[:300]}")
            times.append(elapsed)
        return statistics.median(times)

    results = {
        "ghost unified_diff": timed("ghost", lambda f: [ghost, "apply", "--workspace", str(f), str(work / "patch.json")], lambda r: r.returncode == 0),
        "git apply": timed("git apply", lambda f: ["git", "apply", "-p1", str(work / "change.diff")], lambda r: r.returncode == 0),
        "GNU patch": timed("GNU patch", lambda f: ["patch", "-p1", "-s", "-i", str(work / "change.diff")], lambda r: r.returncode == 0),
    }
    print(f"\na {hunks}-hunk unified diff on a {size_mb:.1f} MB file, whole process, median of {runs} runs:")
    print(f"{'tool':22}{'ms':>10}{'vs ghost':>12}")
    base = results["ghost unified_diff"]
    for name, seconds in results.items():
        print(f"{name:22}{seconds * 1000:>10.1f}{seconds / base:>11.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
