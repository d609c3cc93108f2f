#!/bin/sh
# A plugin that takes a second, then writes slow.txt: a patch still in hand when the host is told to stop.
cat >/dev/null
sleep 1
printf '%s\n' '{"files": {"slow.txt": "done\n"}}'
