#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster (scripts/pg-cluster.sh) started for it and stopped after:
# $GHOST_TEST_DATABASE_URL is its URL, $GHOST_TEST_PG_DIR its folder. Example: scripts/with-postgres.sh swift test
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/ghost-pg.XXXXXX)
chmod 755 "$dir"
cleanup() { "$here/pg-cluster.sh" stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT
GHOST_TEST_DATABASE_URL=$("$here/pg-cluster.sh" start "$dir")
export GHOST_TEST_DATABASE_URL GHOST_TEST_PG_DIR=$dir
"$@"
