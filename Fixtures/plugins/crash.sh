#!/bin/sh
# A plugin that dies of a signal.
cat >/dev/null
kill -SEGV $$
