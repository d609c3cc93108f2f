#!/usr/bin/env python3
"""Writes N finished patches into a queue's folder as `ghost serve` files them: the patch in .completed/
(1 in 50 in .failed/) with its receipt beside it, finished over the last DAYS days. The receipts carry the
content hash ghost computes (SHA-256 of the patch's canonical JSON: sorted keys, compact), so a resent
patch is recognised as a duplicate.

Usage: synthesize.py QUEUE_DIR N [DAYS]"""
import datetime, hashlib, json, os, sys

folder, count = sys.argv[1], int(sys.argv[2])
days = float(sys.argv[3]) if len(sys.argv) > 3 else 20
now = datetime.datetime.now(datetime.timezone.utc)
for sub in (".completed", ".failed"):
    os.makedirs(os.path.join(folder, sub), exist_ok=True)

def stamp(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

for n in range(count):
    patch = {"id": f"hist-{n}", "role": "ui_patch", "target_file": "src/App.tsx",
             "patch": {"pattern": "const last = \"[^\"]*\";", "replacement": f"const last = \"hist-{n}\";"}}
    canonical = json.dumps(patch, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    finished = now - datetime.timedelta(days=days * (count - n) / max(count, 1))
    failed = n % 50 == 49
    receipt = {
        "id": patch["id"], "role": "ui_patch", "queue": "default", "source": "http",
        "status": "failed" if failed else "applied",
        "files": [{"path": "src/App.tsx", "before_sha256": "0" * 64, "after_sha256": "1" * 64, "changed": not failed}],
        "diff": "" if failed else f"--- a/src/App.tsx\n+++ b/src/App.tsx\n@@ -2 +2 @@\n-const last = \"none\";\n+const last = \"hist-{n}\";\n",
        "steps": [], "operations": [{"role": "ui_patch", "target": "src/App.tsx", "matches": 0 if failed else 1}],
        "received_at": stamp(finished - datetime.timedelta(milliseconds=2)), "finished_at": stamp(finished),
        "duration_ms": 0.4, "content_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }
    if failed:
        receipt["reason"] = "no_match"
        receipt["message"] = "pattern matched nothing"
    name = f"hist-{n}_{finished.strftime('%Y%m%d_%H%M%S')}"
    sub = os.path.join(folder, ".failed" if failed else ".completed")
    with open(os.path.join(sub, name + ".json"), "w") as f:
        f.write(canonical + "\n")
    with open(os.path.join(sub, name + ".receipt.json"), "w") as f:
        f.write(json.dumps(receipt, sort_keys=True, separators=(",", ":")) + "\n")
