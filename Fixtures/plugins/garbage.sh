#!/bin/sh
# A plugin that answers something that is not JSON.
cat >/dev/null
echo 'all done!'
