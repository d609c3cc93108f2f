#!/bin/sh
# A plugin that tries to write outside the workspace: the host must refuse it.
cat >/dev/null
printf '%s\n' '{"files": {"../escaped.txt": "gotcha\n", "inside.txt": "fine\n"}}'
