#!/bin/sh
# A plugin that kills the host running it (SIGKILL to its parent), as a patch that makes the host abort or
# be OOM-killed would: a poison patch.
cat >/dev/null
kill -9 "$PPID"
sleep 5
