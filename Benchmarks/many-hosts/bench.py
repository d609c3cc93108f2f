#!/usr/bin/env python3
"""Many hosts on one PostgreSQL, beside the embedded single host, in one run.

For the embedded host and for 1, 2 and 4 shared-store hosts on one database:
  * ingest: wrk (16 connections in all, unique ids) POSTing ui_patches for 4 queues, spread over the hosts,
    for SECONDS; requests/s summed over the hosts; then the time until every accepted patch is applied
    (apply throughput);
  * drop->applied: DROPS patches renamed one at a time into an inbox (for several hosts, the inbox of a host
    that does not own the queue), timed until the workspace file shows the patch;
  * database round trips per patch, from each host's ghost_db_round_trips_total.
Usage: bench.py GHOST_BINARY SECONDS DROPS   ($GHOST_TEST_DATABASE_URL names the cluster)
"""
import json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

GHOST, SECONDS, DROPS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BASE_URL = os.environ["GHOST_TEST_DATABASE_URL"]
HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "serve", "unique-patch.lua")
QUEUES = ["q0", "q1", "q2", "q3"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    return subprocess.run(["psql", url, "-AtXc", sql], check=True, capture_output=True, text=True).stdout.strip()


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.read().decode()


def trips(port):
    match = re.search(r"^ghost_db_round_trips_total (\d+)", get(port, "/metrics"), re.M)
    return int(match.group(1)) if match else 0


def workspace(path):
    os.makedirs(os.path.join(path, "src"), exist_ok=True)
    with open(os.path.join(path, "src", "App.tsx"), "w") as f:
        f.write('export const App = () => null;\nconst last = "none";\n')


def start(folder, config, name):
    port = free_port()
    log = open(os.path.join(folder, f"{name}.log"), "ab")
    process = subprocess.Popen([GHOST, "serve", "--config", config, "--port", str(port), "--log-level", "warning"],
                               stdout=log, stderr=log, cwd=folder, env=dict(os.environ, GHOST_DATABASE_URL=os.environ.get("BENCH_DB", "")))
    for _ in range(400):
        try:
            get(port, "/health")
            return process, port
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"{name} did not start; see {folder}/{name}.log")


def wrk(ports):
    """wrk against every host at once (16 connections in all), each host's connections on one queue."""
    runs = []
    per_host = max(1, 16 // len(ports))
    for i, port in enumerate(ports):
        queue = QUEUES[i % len(QUEUES)] if len(ports) > 1 else None
        path = f"/api/queues/{queue}/patches" if queue else "/api/patches"
        runs.append(subprocess.Popen(["wrk", "-t1", f"-c{per_host}", f"-d{SECONDS}s", "-s", LUA, f"http://127.0.0.1:{port}{path}"],
                                     stdout=subprocess.PIPE, text=True))
    total = 0.0
    for run in runs:
        out = run.communicate()[0]
        total += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return total


def drops(inbox, workspace_file):
    latencies = []
    staging = tempfile.mkdtemp(dir=os.path.dirname(inbox.rstrip("/")))
    for i in range(DROPS):
        pid = f"drop-{os.getpid()}-{i}-{time.monotonic_ns()}"
        body = {"id": pid, "role": "ui_patch", "target_file": "src/App.tsx",
                "patch": {"pattern": 'const last = "[^"]*";', "replacement": f'const last = "{pid}";'}}
        tmp = os.path.join(staging, pid + ".json")
        with open(tmp, "w") as f:
            json.dump(body, f)
            f.flush()
            os.fsync(f.fileno())
        needle = pid.encode()
        start_time = time.perf_counter()
        os.rename(tmp, os.path.join(inbox, pid + ".json"))
        while True:
            with open(workspace_file, "rb") as f:
                if needle in f.read():
                    break
            time.sleep(0.00005)
        latencies.append((time.perf_counter() - start_time) * 1000)
        time.sleep(0.02)
    return latencies


def summary(latencies):
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1 if len(ordered) >= 100 else -1]


def embedded():
    folder = tempfile.mkdtemp(prefix="ghost-bench-embedded-")
    workspace(os.path.join(folder, "ws"))
    config = os.path.join(folder, "ghost.yml")
    with open(config, "w") as f:
        f.write("queues:\n  default: {dir: patches, workspace: ws}\n")
    process, port = start(folder, config, "embedded")
    rps = wrk([port])
    began = time.monotonic()
    while os.listdir(os.path.join(folder, "patches")) and any(n.endswith(".json") for n in os.listdir(os.path.join(folder, "patches"))):
        time.sleep(0.05)
    status = json.loads(get(port, "/api/status"))
    while status["queues"]["default"].get("depth", 0) > 0:
        time.sleep(0.05)
        status = json.loads(get(port, "/api/status"))
    drained = time.monotonic() - began
    latencies = drops(os.path.join(folder, "patches"), os.path.join(folder, "ws", "src", "App.tsx"))
    process.send_signal(signal.SIGTERM)
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)
    return rps, drained, summary(latencies), None


def shared(hosts):
    folder = tempfile.mkdtemp(prefix=f"ghost-bench-{hosts}hosts-")
    database = f"bench_{hosts}_{os.getpid()}"
    psql(BASE_URL, f"CREATE DATABASE {database}")
    os.environ["BENCH_DB"] = BASE_URL.rsplit("/", 1)[0] + "/" + database
    names = [f"h{i}" for i in range(hosts)]
    owner = {queue: names[i % hosts] for i, queue in enumerate(QUEUES)}
    for queue in QUEUES:
        workspace(os.path.join(folder, "ws", queue))
    processes, ports = [], []
    for name in names:
        config = os.path.join(folder, f"{name}.yml")
        with open(config, "w") as f:
            f.write(f"node: {name}\nstore: {{postgres: {{url_env: GHOST_DATABASE_URL}}}}\ndefault_queue: q0\nqueues:\n")
            for queue in QUEUES:
                f.write(f"  {queue}: {{dir: spool-{name}/{queue}, workspace: ws/{queue}, owner: {owner[queue]}}}\n")
        process, port = start(folder, config, name)
        processes.append(process)
        ports.append(port)
    # Every host owns its queues before the clock starts.
    while psql(os.environ["BENCH_DB"], "SELECT count(*) FROM ghost_leases WHERE fence > 0") != str(len(QUEUES)):
        time.sleep(0.1)
    before = sum(trips(port) for port in ports)
    rps = wrk(ports)
    began = time.monotonic()
    pending = "SELECT count(*) FROM ghost_patches p JOIN ghost_queues q ON q.name = p.queue WHERE p.seq > q.applied_seq"
    while psql(os.environ["BENCH_DB"], pending) != "0":
        time.sleep(0.05)
    drained = time.monotonic() - began
    patches = int(psql(os.environ["BENCH_DB"], "SELECT count(*) FROM ghost_patches WHERE status = 'applied'"))
    failed = int(psql(os.environ["BENCH_DB"], "SELECT count(*) FROM ghost_patches WHERE status <> 'applied'"))
    if failed:
        raise SystemExit(f"{failed} patches did not apply; see {folder}")
    per_patch = (sum(trips(port) for port in ports) - before) / max(patches, 1)
    # Dropped into the last host's inbox, for a queue the first host owns.
    latencies = drops(os.path.join(folder, f"spool-{names[-1]}", "q0"), os.path.join(folder, "ws", "q0", "src", "App.tsx"))
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait()
    psql(BASE_URL, f"DROP DATABASE {database} WITH (FORCE)")
    shutil.rmtree(folder, ignore_errors=True)
    return rps, drained, summary(latencies), (per_patch, patches)


rows = [("embedded, 1 host (reference)", embedded())]
for hosts in (1, 2, 4):
    rows.append((f"PostgreSQL, {hosts} host{'s' if hosts > 1 else ''}", shared(hosts)))
reference = rows[0][1][0]
print(f"\n{'setup':32} {'ingest req/s':>13} {'vs embedded':>12} {'drain s':>8} {'drop p50 ms':>12} {'drop p99 ms':>12} {'db trips/patch':>15}")
for name, (rps, drained, (p50, p99), trips_info) in rows:
    per_patch = f"{trips_info[0]:.2f}" if trips_info else "-"
    print(f"{name:32} {rps:13.0f} {rps / reference:11.2f}x {drained:8.1f} {p50:12.2f} {p99:12.2f} {per_patch:>15}")
