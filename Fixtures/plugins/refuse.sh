#!/bin/sh
# A plugin that answers with an error object.
cat >/dev/null
echo '{"error": {"code": "license_missing", "message": "no license text configured"}}'
