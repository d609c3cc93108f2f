#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's postgresql package.
#   scripts/pg-cluster.sh start DIR [PORT]   initdb in DIR, start on 127.0.0.1:PORT (a free one by default),
#                                            print the URL (postgres://ghost@127.0.0.1:PORT/postgres)
#   scripts/pg-cluster.sh restart DIR        pg_ctl restart -m immediate (a crash of the server)
#   scripts/pg-cluster.sh stop DIR           stop it (the folder stays; remove it yourself)
# initdb and pg_ctl refuse root: as root they run as the postgres user.
set -euo pipefail
command=${1:?start, restart or stop}
dir=${2:?a folder for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-cluster: PostgreSQL's server is not installed (apt-get install postgresql)" >&2
    exit 1
fi
dir=$(realpath -m "$dir")
# From /, which the postgres user can enter (a root-only working folder would make every call complain).
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
case $command in
start)
    port=${3:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U ghost --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" start >/dev/null
    echo "postgres://ghost@127.0.0.1:$port/postgres"
    ;;
restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m immediate restart >/dev/null
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true
    ;;
*)
    echo "pg-cluster: unknown command $command" >&2
    exit 2
    ;;
esac
