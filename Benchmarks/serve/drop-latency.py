"""Drop-to-applied latency through an inbox: rename a patch in, time until its result appears.

Usage: drop-latency.py INBOX COUNT DONE_SUFFIX
Prints one latency in milliseconds per line. DONE_SUFFIX is the file that marks a finished patch in
INBOX/.completed/: ".receipt.json" for GhostRunner, ".json" for the seed's loop (which writes no receipt).
"""
import json, os, sys, time

inbox, count, done_suffix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
staging = os.path.join(os.path.dirname(inbox.rstrip('/')), 'staging')
os.makedirs(staging, exist_ok=True)
for i in range(count):
    pid = f"drop-{os.getpid()}-{i}"
    body = {"id": pid, "role": "ui_patch", "target_file": "src/App.tsx",
            "patch": {"pattern": 'const last = "[^"]*";', "replacement": f'const last = "{pid}";'}}
    tmp = os.path.join(staging, pid + '.json')
    with open(tmp, 'w') as f:
        json.dump(body, f)
        f.flush(); os.fsync(f.fileno())
    marker = os.path.join(inbox, '.completed', pid + done_suffix)
    start = time.perf_counter()
    os.rename(tmp, os.path.join(inbox, pid + '.json'))
    while not os.path.exists(marker):
        time.sleep(0.00005)
    print(f"{(time.perf_counter() - start) * 1000:.3f}", flush=True)
    time.sleep(0.02)
