#!/usr/bin/env python3
"""Reference results for GhostRunner's JSON roles (Tests/AppliersTests/JSONPatch/JSONPatchDifferentialTests.swift).

Reads JSON lines {"kind": "patch" | "merge", "document": ..., "patch": ..., "indent": null | 2 | 4 | "\t"} on stdin and
writes one JSON line per case: {"text": the document as json.dumps writes it with that indent, "result": ... } or
{"text": ..., "error": "ExceptionName: message"}. `patch` cases use the `jsonpatch` package (RFC 6902) with a pointer
that, as RFC 6901 says, does not index into strings (jsonpointer treats a Python str as a sequence); `merge` cases
use RFC 7396's pseudo-code, below.
"""
import json
import sys

try:
    import jsonpatch
    import jsonpointer
except ImportError:
    sys.exit("the Python package 'jsonpatch' is missing: pip install jsonpatch")


class StrictPointer(jsonpointer.JsonPointer):
    """A JSON Pointer whose tokens index objects and arrays only."""

    def walk(self, doc, part):
        if not isinstance(doc, (dict, list)):
            raise jsonpointer.JsonPointerException("%r is not an object or array" % (doc,))
        return super().walk(doc, part)

    def to_last(self, doc):
        subdoc, part = super().to_last(doc)
        if part is not None and not isinstance(subdoc, (dict, list)):
            raise jsonpointer.JsonPointerException("%r is not an object or array" % (subdoc,))
        return subdoc, part


def merge_patch(target, patch):
    """RFC 7396, section 2."""
    if not isinstance(patch, dict):
        return patch
    target = target if isinstance(target, dict) else {}
    result = {name: value for name, value in target.items() if name not in patch or patch[name] is not None}
    result.update({name: merge_patch(target.get(name), value) for name, value in patch.items() if value is not None})
    return result


for line in sys.stdin:
    case = json.loads(line)
    answer = {"text": json.dumps(case["document"], indent=case.get("indent"))}
    try:
        if case["kind"] == "merge":
            answer["result"] = merge_patch(case["document"], case["patch"])
        else:
            answer["result"] = jsonpatch.JsonPatch(case["patch"], pointer_cls=StrictPointer).apply(case["document"])
    except Exception as error:  # every failure is an answer: the Swift side only checks that both fail
        answer.pop("result", None)
        answer["error"] = "%s: %s" % (type(error).__name__, error)
    print(json.dumps(answer))
