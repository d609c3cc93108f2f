#!/usr/bin/env python3
"""Many hosts on one PostgreSQL, under fire: every acknowledged patch applied exactly once, in order.

Starts HOSTS `ghost serve` processes (separate spools, one database). Most queues have a workspace only
their owner reaches; SHARED queues have one folder every host reaches (shared storage), so they can be
taken over. Then sends PATCHES patches to each queue, over HTTP (to any host) and by inbox drops (into
any host's inbox), while it

  * SIGKILLs a random host every 100-200 ms and starts it again,
  * SIGSTOPs one host for three leases, then resumes it (its shared queues are taken over),
  * restarts PostgreSQL with `pg_ctl restart -m immediate`, twice.

Each patch inserts its own token before `END` in the queue's `log.txt`: a patch applied twice leaves its
token twice, a lost one leaves none, and the file's order is the order patches were applied in.
Afterwards it checks, and prints: every acknowledged patch is in its queue's file exactly once, in the
database's sequence order, every row is applied, nothing is pending, each queue's applied sequence equals
its last patch, and every inbox file was taken.

Needs $GHOST_TEST_DATABASE_URL and $GHOST_TEST_PG_DIR (scripts/with-postgres.sh sets both) and a built
`ghost` (GHOST_BIN, default .build/debug/ghost). Exit status 0 when every check holds.
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    out = subprocess.run(["psql", url, "-AtX", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Host:
    """A `ghost serve` kept running by a supervisor thread: whenever it dies (the killer's SIGKILL), it is
    started again at once, on the same port, as systemd would."""

    def __init__(self, name, folder, binary, env):
        self.name, self.folder, self.binary, self.env = name, folder, binary, env
        self.port = free_port()
        self.config = os.path.join(folder, f"{name}.yml")
        self.pidfile = os.path.join(folder, f"{name}.pid")
        self.frozen = os.path.join(folder, f"{name}.frozen")
        self.process = None
        self.stopping = False
        self.starts = 0
        self.supervisor = threading.Thread(target=self.supervise, daemon=True)

    def start(self):
        log = open(os.path.join(self.folder, f"{self.name}.log"), "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config, "--port", str(self.port), "--log-level", os.environ.get("GHOST_CHAOS_LOG_LEVEL", "notice")],
            stdout=log, stderr=log, env=self.env, cwd=self.folder,
        )
        with open(self.pidfile + ".tmp", "w") as f:
            f.write(str(self.process.pid))
        os.rename(self.pidfile + ".tmp", self.pidfile)
        self.starts += 1

    def supervise(self):
        while not self.stopping:
            self.start()
            self.process.wait()

    def url(self):
        return f"http://127.0.0.1:{self.port}"


def killer(folder, names, stop):
    """A process of its own (the senders' threads do not delay it): SIGKILL a random host every 100-200 ms,
    leaving a frozen one alone. Counts its kills in folder/kills."""
    rng = random.Random(7)
    kills = 0
    started = time.monotonic()
    while not stop.is_set():
        time.sleep(rng.uniform(0.1, 0.2))
        name = rng.choice(names)
        if os.path.exists(os.path.join(folder, f"{name}.frozen")):
            continue
        try:
            with open(os.path.join(folder, f"{name}.pid")) as f:
                os.kill(int(f.read()), signal.SIGKILL)
            kills += 1
        except (OSError, ValueError):
            pass
    with open(os.path.join(folder, "kills"), "w") as f:
        f.write(f"{kills} {time.monotonic() - started}")


def post(host, queue, body, timeout=5.0):
    request = urllib.request.Request(
        f"{host.url()}/api/queues/{queue}/patches", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--shared", type=int, default=4, help="queues on a folder every host reaches")
    parser.add_argument("--patches", type=int, default=200)
    parser.add_argument("--inbox-share", type=float, default=0.25)
    parser.add_argument("--lease", type=int, default=2)
    args = parser.parse_args()

    url = os.environ["GHOST_TEST_DATABASE_URL"]
    pg_dir = os.environ["GHOST_TEST_PG_DIR"]
    binary = os.path.abspath(os.environ.get("GHOST_BIN", os.path.join(ROOT, ".build/debug/ghost")))
    folder = tempfile.mkdtemp(prefix="ghost-many-hosts-")
    database = f"chaos_{os.getpid()}"
    psql(url, f"CREATE DATABASE {database}")
    db_url = url.rsplit("/", 1)[0] + "/" + database
    env = dict(os.environ, GHOST_DATABASE_URL=db_url)

    names = [f"h{i}" for i in range(args.hosts)]
    hosts = {name: Host(name, folder, binary, env) for name in names}
    queues = [f"q{i:02d}" for i in range(args.queues)]
    shared = set(queues[: args.shared])
    owner = {queue: names[i % len(names)] for i, queue in enumerate(queues)}
    workspace = {}
    for queue in queues:
        path = os.path.join(folder, "shared" if queue in shared else f"ws-{owner[queue]}", queue)
        os.makedirs(path)
        with open(os.path.join(path, "log.txt"), "w") as f:
            f.write("END\n")
        workspace[queue] = path
    for name, host in hosts.items():
        lines = [
            f"node: {name}",
            f"store: {{postgres: {{url_env: GHOST_DATABASE_URL, lease_s: {args.lease}, poll_ms: 500}}}}",
            "http: {host: 127.0.0.1}",
            f"default_queue: {queues[0]}",
            "queues:",
        ]
        for queue in queues:
            # A host other than the owner names a workspace it cannot reach, unless the queue is shared.
            reach = workspace[queue] if queue in shared or owner[queue] == name else os.path.join(folder, f"unreached-{name}", queue)
            lines.append(f"  {queue}: {{dir: spool-{name}/{queue}, workspace: {reach}, owner: {owner[queue]}}}")
        with open(host.config, "w") as f:
            f.write("\n".join(lines) + "\n")
    for host in hosts.values():
        host.supervisor.start()
    time.sleep(1.5)

    acknowledged = {queue: set() for queue in queues}
    inbox_files = []
    sender_errors = []
    counts = {"http_acks": 0, "http_duplicates": 0, "http_retries": 0, "inbox_drops": 0, "kills": 0, "stops": 0, "pg_restarts": 0, "chaos_seconds": 0.0}
    counts_lock = threading.Lock()
    sending = threading.Event()
    sending.set()

    def count(key, n=1):
        with counts_lock:
            counts[key] += n

    def send(queue):
        rng = random.Random(hash(queue))
        for i in range(args.patches):
            pid = f"{queue}-{i:04d}"
            body = json.dumps(
                {"id": pid, "role": "ui_patch", "target_file": "log.txt", "patch": {"pattern": "END", "replacement": f"{pid} END"}}
            ).encode()
            if rng.random() < args.inbox_share:
                host = hosts[rng.choice(names)]
                inbox = os.path.join(folder, f"spool-{host.name}", queue)
                os.makedirs(inbox, exist_ok=True)
                temporary = os.path.join(inbox, f".{pid}.tmp")
                with open(temporary, "wb") as f:
                    f.write(body)
                    f.flush()
                    os.fsync(f.fileno())
                final = os.path.join(inbox, f"{pid}.json")
                os.rename(temporary, final)
                inbox_files.append((queue, pid, final))
                count("inbox_drops")
                continue
            while True:
                host = hosts[rng.choice(names)]
                try:
                    status, answer = post(host, queue, body)
                except Exception:
                    count("http_retries")
                    time.sleep(0.05)
                    continue
                if status in (200, 202):
                    acknowledged[queue].add(pid)
                    count("http_duplicates" if answer.get("result", {}).get("status") == "duplicate" else "http_acks")
                    break
                if status == 503:
                    count("http_retries")
                    time.sleep(0.05)
                    continue
                # A thread's exception would be lost: the checks below fail on it instead.
                sender_errors.append(f"{queue} {pid}: HTTP {status} {answer}")
                return

    def freeze(host):
        """SIGSTOP past three leases (the server ends its open transaction, its shared queues move), then SIGCONT."""
        with open(host.frozen, "w"):
            pass
        time.sleep(0.3)  # a kill the killer already chose lands first
        with open(host.pidfile) as f:
            pid = int(f.read())
        os.kill(pid, signal.SIGSTOP)
        count("stops")
        time.sleep(args.lease * 3.5)
        os.kill(pid, signal.SIGCONT)
        os.unlink(host.frozen)

    def chaos():
        started = time.monotonic()
        stop = multiprocessing.Event()
        kill_process = multiprocessing.Process(target=killer, args=(folder, names, stop))
        kill_process.start()
        frozen = None
        restarts_at = [started + 4, started + 12]
        while sending.is_set():
            time.sleep(0.1)
            now = time.monotonic()
            if restarts_at and now >= restarts_at[0]:
                restarts_at.pop(0)
                subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "restart", pg_dir], check=True)
                count("pg_restarts")
            if frozen is None and now - started > 6:
                frozen = threading.Thread(target=freeze, args=(hosts[names[-1]],))
                frozen.start()
        stop.set()
        kill_process.join()
        with open(os.path.join(folder, "kills")) as f:
            kills, seconds = f.read().split()
        counts["kills"], counts["chaos_seconds"] = int(kills), float(seconds)
        if frozen is not None:
            frozen.join()
        # Every planned fault happens even when the patches were all sent first.
        for _ in restarts_at:
            subprocess.run([os.path.join(ROOT, "scripts/pg-cluster.sh"), "restart", pg_dir], check=True)
            count("pg_restarts")

    started = time.monotonic()
    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()
    senders = [threading.Thread(target=send, args=(queue,)) for queue in queues]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    sending.clear()
    chaos_thread.join()
    # Inbox drops are acknowledged once a host has taken the file (committed it, then removed it). Under a
    # kill every 150 ms a file can wait long for a host that lives long enough; once the kills stop, every
    # file must be taken promptly.
    waiting_at_end = sum(1 for _, _, path in inbox_files if os.path.exists(path))
    deadline = time.monotonic() + 60
    while any(os.path.exists(path) for _, _, path in inbox_files) and time.monotonic() < deadline:
        time.sleep(0.2)
    left_in_inboxes = [path for _, _, path in inbox_files if os.path.exists(path)]
    for queue, pid, path in inbox_files:
        if not os.path.exists(path):
            acknowledged[queue].add(pid)
    sent_seconds = time.monotonic() - started

    # Drain: every queue applied to its last patch.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        pending = psql(db_url, "SELECT count(*) FROM ghost_patches p JOIN ghost_queues q ON q.name = p.queue WHERE p.seq > q.applied_seq")
        if pending[0][0] == "0":
            break
        time.sleep(0.5)
    for host in hosts.values():
        host.stopping = True
        host.process.send_signal(signal.SIGTERM)
    for host in hosts.values():
        try:
            host.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            host.process.kill()
        host.supervisor.join()

    failures = []
    rows = psql(db_url, "SELECT queue, seq, id, status FROM ghost_patches ORDER BY queue, seq")
    by_queue = {queue: [] for queue in queues}
    for queue, seq, pid, status in rows:
        by_queue[queue].append((int(seq), pid, status))
    applied_seq = {q: int(s) for q, s in psql(db_url, "SELECT name, applied_seq FROM ghost_queues")}
    total_applied = 0
    duplicates_in_files = 0
    for queue in queues:
        with open(os.path.join(workspace[queue], "log.txt")) as f:
            tokens = f.read().split()
        if tokens[-1:] != ["END"]:
            failures.append(f"{queue}: log.txt does not end with END")
        tokens = tokens[:-1]
        if len(tokens) != len(set(tokens)):
            duplicates_in_files += len(tokens) - len(set(tokens))
            failures.append(f"{queue}: a patch was applied more than once")
        in_order = [pid for _, pid, _ in by_queue[queue]]
        if tokens != in_order:
            failures.append(f"{queue}: the file's order is not the sequence order ({len(tokens)} tokens, {len(in_order)} rows)")
        missing = acknowledged[queue] - set(tokens)
        if missing:
            failures.append(f"{queue}: {len(missing)} acknowledged patches not applied, e.g. {sorted(missing)[:3]}")
        not_applied = [row for row in by_queue[queue] if row[2] != "applied"]
        if not_applied:
            failures.append(f"{queue}: rows not applied: {not_applied[:3]}")
        last = by_queue[queue][-1][0] if by_queue[queue] else 0
        if applied_seq.get(queue) != last:
            failures.append(f"{queue}: applied_seq {applied_seq.get(queue)} != last patch {last}")
        total_applied += len(tokens)
    for error in sender_errors:
        failures.append(f"a sender stopped: {error}")
    if sum(len(s) for s in acknowledged.values()) != args.queues * args.patches:
        failures.append(f"{sum(len(s) for s in acknowledged.values())} acknowledged, {args.queues * args.patches} sent")
    if left_in_inboxes:
        failures.append(f"{len(left_in_inboxes)} inbox files were not taken within a minute of the kills' end: {left_in_inboxes[:5]}")
    # A queue applied by more than one host changed hands: a takeover (or a restart under a new fence).
    owners = psql(db_url, "SELECT queue, count(DISTINCT applied_by), count(DISTINCT fence) FROM ghost_patches GROUP BY queue")
    moved = sorted(queue for queue, hosts_count, _ in owners if int(hosts_count) > 1)
    fences = sum(int(fence_count) for _, _, fence_count in owners)
    for queue in moved:
        if queue not in shared:
            failures.append(f"{queue}: applied by several hosts, but only its owner reaches its workspace")

    acked = sum(len(s) for s in acknowledged.values())
    print(
        f"many hosts: {args.hosts} hosts, {args.queues} queues ({len(shared)} on shared storage), {args.patches} patches each, "
        f"{sent_seconds:.1f} s of sending"
    )
    print(
        f"  acknowledged {acked} (HTTP {counts['http_acks']} + duplicate answers {counts['http_duplicates']}, inbox {counts['inbox_drops']}); "
        f"HTTP retries {counts['http_retries']}"
    )
    every = counts["chaos_seconds"] / max(counts["kills"], 1) * 1000
    print(
        f"  SIGKILLs {counts['kills']} (one every {every:.0f} ms), SIGSTOPs {counts['stops']}, "
        f"PostgreSQL crash restarts {counts['pg_restarts']}"
    )
    print(f"  applied {total_applied} in files, {len(rows)} rows; applied twice {duplicates_in_files}; pending 0 required")
    print(f"  inbox files still waiting when the kills stopped: {waiting_at_end} (all must be taken within a minute)")
    print(f"  queues applied by more than one host (takeovers): {', '.join(moved) or 'none'}; fences used across queues: {fences}")
    if failures:
        print("FAILED:")
        for failure in failures[:40]:
            print("  " + failure)
        print(f"  (host logs in {folder})")
        sys.exit(1)
    print("  every acknowledged patch applied exactly once, in sequence order: OK")
    psql(url, f"DROP DATABASE {database} WITH (FORCE)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
