#!/usr/bin/env python3
"""GhostRunner exec plugin (protocol 1): role `json_merge`.

Deep-merges the patch's `patch.merge` object into the JSON file `target_file` (created when missing);
`null` values remove keys. Reads the request on stdin, writes the answer on stdout, exits 0.

    roles:
      json_merge: {exec: [python3, Examples/exec-plugins/json_merge.py], timeout_s: 10}

    {"id": "cfg-1", "role": "json_merge", "target_file": "config/app.json",
     "patch": {"merge": {"features": {"dark_mode": true}, "legacy": null}}}
"""
import json
import sys


def merge(base, change):
    if not isinstance(base, dict) or not isinstance(change, dict):
        return change
    result = dict(base)
    for key, value in change.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def answer(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")
    sys.exit(0)


def main():
    request = json.load(sys.stdin)
    if request.get("protocol") != 1:
        answer({"error": {"code": "plugin_error", "message": "json_merge speaks protocol 1 only"}})
    patch = request["patch"]
    target = patch.get("target_file")
    change = (patch.get("patch") or {}).get("merge")
    if not target or not isinstance(change, dict):
        answer({"error": {"code": "invalid_patch", "message": "json_merge needs target_file and patch.merge (an object)"}})
    current = request["files"].get(target)
    try:
        document = json.loads(current) if current else {}
    except ValueError as error:
        answer({"error": {"code": "invalid_patch", "message": f"{target} is not JSON: {error}"}})
    merged = merge(document, change)
    answer({"files": {target: json.dumps(merged, indent=2, sort_keys=True) + "\n"}})


if __name__ == "__main__":
    main()
