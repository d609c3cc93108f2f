#!/usr/bin/env python3
"""Edit formats against drift: real edits from this repository's history, perturbed the way drift does,
applied by ghost (search_replace, unified_diff, apply_patch), `git apply` and GNU `patch`.

Usage: formats.py GHOST WORKDIR [CASES] [REVISION]

The cases come from the history up to REVISION (default 8ad1719, the one docs/benchmarks.md's table was
measured on), so the same command gives the same cases whatever was committed since.

Each case is one file changed by one commit (`git diff -U3 C^ C`), with 1 to 8 hunks, every hunk with
context. Each is applied as it was written (`exact`) and under six kinds of drift:

  trailing_spaces  the patch's old lines carry trailing spaces the file does not have   (expected: the new file)
  reindented       every line of the patch is indented 4 spaces deeper than the file     (expected: the new file)
  crlf             the file has CRLF line endings, the patch LF                           (expected: the new file, CRLF)
  tabs             the file is indented with tabs, the patch with spaces                  (expected: the new file, tabs;
                   left out where the patch adds indented lines but no old line shows the file's indentation)
  stale_context    one context line of the first hunk changed in the file since           (expected: the new file, that line changed too)
  edit_above       three unrelated lines were added at the top of the file                (expected: the new file with them)

An outcome is `exact` when the tool succeeds and the file equals the expected bytes, `failed` when the
tool refuses (`hint` when ghost's message names a closest region, candidates or an applied text), and
`WRONG` when the tool succeeds but the file differs from the expected bytes: a silent wrong edit.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

DRIFTS = ["exact", "trailing_spaces", "reindented", "crlf", "tabs", "stale_context", "edit_above"]
GHOST_FORMATS = ["search_replace", "unified_diff", "apply_patch"]
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def git(*args, text=True):
    return subprocess.run(["git", *args], check=True, capture_output=True, text=text).stdout


def collect_cases(limit, revision):
    """Real edits: (path, old bytes, new bytes, hunks) from recent commits, text files only."""
    cases = []
    seen = set()
    for commit in git("rev-list", "--no-merges", revision).split():
        if len(cases) >= limit:
            break
        parents = git("rev-list", "--parents", "-n", "1", commit).split()
        if len(parents) != 2:
            continue
        for line in git("diff", "--numstat", parents[1], commit).splitlines():
            added, removed, path = line.split("\t", 2)
            if added == "-" or not re.search(r"\.(swift|md|py|sh|yml|json)$", path) or path in seen:
                continue
            try:
                old = git("show", f"{parents[1]}:{path}", text=False)
                new = git("show", f"{commit}:{path}", text=False)
            except subprocess.CalledProcessError:
                continue
            if not old or b"\r" in old or b"\t" in old or b"\t" in new or len(old) > 200_000:
                continue
            try:
                old_text, new_text = old.decode(), new.decode()
            except UnicodeDecodeError:
                continue
            hunks = parse_hunks(git("diff", "-U3", parents[1], commit, "--", path))
            if not (1 <= len(hunks) <= 8) or any(not any(t == " " for t, _ in h["lines"]) for h in hunks):
                continue
            if not old_text.endswith("\n") or not new_text.endswith("\n"):
                continue
            seen.add(path)
            cases.append({"path": path, "old": old_text, "new": new_text, "hunks": hunks})
            if len(cases) >= limit:
                break
    return cases


def parse_hunks(diff):
    hunks = []
    for line in diff.splitlines(keepends=True):
        match = HUNK.match(line)
        if match:
            hunks.append({"old_start": int(match[1]), "new_start": int(match[3]), "lines": []})
        elif hunks and line[:1] in " +-" and not line.startswith(("---", "+++")):
            hunks[-1]["lines"].append((line[0], line[1:]))
        elif hunks and line.startswith("\\"):
            hunks[-1]["lines"].append(("\\", line))
    return hunks


def tabify(text):
    out = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        spaces = len(line) - len(body)
        out.append("\t" * (spaces // 4) + " " * (spaces % 4) + body)
    return "".join(out)


def stale_line(case):
    """(old index, new index) of a context line of the first hunk to change, or None."""
    hunk = case["hunks"][0]
    old_index, new_index = hunk["old_start"] - 1, hunk["new_start"] - 1
    for kind, text in hunk["lines"]:
        if kind == " " and text.strip():
            return old_index, new_index
        if kind in " -":
            old_index += 1
        if kind in " +":
            new_index += 1
    return None


def drifted(case, drift):
    """(file bytes, expected bytes, hunks as the model wrote them) under `drift`."""
    old, new, hunks = case["old"], case["new"], case["hunks"]
    if drift == "trailing_spaces":
        hunks = [dict(h, lines=[(k, t[:-1] + "  \n" if k in " -" and t.endswith("\n") else t) for k, t in h["lines"]]) for h in hunks]
    elif drift == "reindented":
        hunks = [dict(h, lines=[(k, "    " + t if k in " -+" and t.strip() else t) for k, t in h["lines"]]) for h in hunks]
    elif drift == "crlf":
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
    elif drift == "tabs":
        # Only where the edit site shows the file's indentation: with no indented old line, nothing there
        # says whether new lines should have tabs, and every tool writes the patch's spaces.
        if any(k == "+" and t.startswith("    ") for h in hunks for k, t in h["lines"]) and not any(
            k in " -" and t.startswith("    ") for h in hunks for k, t in h["lines"]
        ):
            return None
        old, new = tabify(old), tabify(new)
    elif drift == "stale_context":
        where = stale_line(case)
        if where is None:
            return None
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        old_lines[where[0]] = old_lines[where[0]].rstrip("\n") + " /* edited since */\n"
        new_lines[where[1]] = new_lines[where[1]].rstrip("\n") + " /* edited since */\n"
        old, new = "".join(old_lines), "".join(new_lines)
    elif drift == "edit_above":
        above = "// an unrelated line\n// added above\n// after the model read the file\n"
        old, new = above + old, above + new
    return old, new, hunks


def side(hunk, kinds):
    return "".join(t for k, t in hunk["lines"] if k in kinds)


def unified(path, hunks):
    out = [f"diff --git a/{path} b/{path}\n", f"--- a/{path}\n", f"+++ b/{path}\n"]
    for h in hunks:
        body = [(k, t) for k, t in h["lines"] if k != "\\"]
        old_count = sum(1 for k, _ in body if k in " -")
        new_count = sum(1 for k, _ in body if k in " +")
        out.append(f"@@ -{h['old_start']},{old_count} +{h['new_start']},{new_count} @@\n")
        out += [k + t for k, t in h["lines"]]
    return "".join(out)


def codex(path, hunks):
    out = ["*** Begin Patch\n", f"*** Update File: {path}\n"]
    for h in hunks:
        out.append("@@\n")
        out += [k + t for k, t in h["lines"] if k != "\\"]
    out.append("*** End Patch\n")
    return "".join(out)


def ghost_patch(fmt, pid, path, hunks):
    if fmt == "search_replace":
        edits = [{"path": path, "search": side(h, " -"), "replace": side(h, " +")} for h in hunks]
        return {"id": pid, "role": "search_replace", "patch": {"edits": edits}}
    if fmt == "unified_diff":
        return {"id": pid, "role": "unified_diff", "patch": {"diff": unified(path, hunks)}}
    return {"id": pid, "role": "apply_patch", "patch": codex(path, hunks)}


def classify(ok, actual, expected):
    if not ok:
        return "failed"
    return "exact" if actual == expected else "WRONG"


def run_ghost(ghost, work, fmt, drift, cases):
    folder = work / f"ghost-{fmt}-{drift}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    patches, expected = [], {}
    for index, case in enumerate(cases):
        variant = drifted(case, drift)
        if variant is None:
            continue
        old, new, hunks = variant
        path = f"c{index}/{case['path']}"
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(old.encode())
        expected[f"p{index}"] = (path, new.encode())
        patches.append(json.dumps(ghost_patch(fmt, f"p{index}", path, hunks)))
    result = subprocess.run([ghost, "apply", "--workspace", str(folder), "-"], input="\n".join(patches) + "\n", capture_output=True, text=True)
    outcomes = {}
    for line in result.stdout.splitlines():
        receipt = json.loads(line)
        pid = receipt["id"]
        path, want = expected[pid]
        ok = receipt["status"] in ("applied", "unchanged")
        outcome = classify(ok, (folder / path).read_bytes(), want)
        if outcome == "failed" and re.search(r"closest|fits \d+ places|already present|first difference", receipt.get("message", "")):
            outcome = "hint"
        outcomes[pid] = (outcome, receipt.get("reason"), receipt.get("message", "")[:300])
    missing = set(expected) - set(outcomes)
    if missing:
        sys.exit(f"ghost printed no receipt for {len(missing)} patches ({fmt}, {drift}): {result.stderr[:500]}")
    return outcomes


def run_tool(tool, work, drift, cases):
    outcomes = {}
    for index, case in enumerate(cases):
        variant = drifted(case, drift)
        if variant is None:
            continue
        old, new, hunks = variant
        folder = work / f"{tool}-{drift}-{index}"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / case["path"]).parent.mkdir(parents=True, exist_ok=True)
        (folder / case["path"]).write_bytes(old.encode())
        diff = unified(case["path"], hunks)
        if tool == "git apply":
            command = ["git", "apply", "--whitespace=nowarn", "-"]
        else:
            command = ["patch", "-p1", "-s", "-N", "--no-backup-if-mismatch", "-r", "-"]
        result = subprocess.run(command, cwd=folder, input=diff.encode(), capture_output=True)
        outcomes[f"p{index}"] = (classify(result.returncode == 0, (folder / case["path"]).read_bytes(), new.encode()), None, "")
        shutil.rmtree(folder, ignore_errors=True)
    return outcomes


def main():
    ghost, work = sys.argv[1], Path(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    revision = sys.argv[4] if len(sys.argv) > 4 else "8ad1719"
    work.mkdir(parents=True, exist_ok=True)
    cases = collect_cases(limit, revision)
    known = subprocess.run([ghost, "roles", "--json"], capture_output=True, text=True).stdout
    formats = [f for f in GHOST_FORMATS if f'"name":"{f}"' in known.replace(" ", "")]
    tools = [*(f"ghost {f}" for f in formats), "git apply", "GNU patch"]
    table = {tool: {} for tool in tools}
    examples = []
    for drift in DRIFTS:
        for fmt in formats:
            outcomes = run_ghost(ghost, work, fmt, drift, cases)
            table[f"ghost {fmt}"][drift] = outcomes
            examples += [(f"ghost {fmt}", drift, pid, o) for pid, o in outcomes.items() if o[0] == "WRONG"]
        for tool in ("git apply", "GNU patch"):
            outcomes = run_tool(tool, work, drift, cases)
            table[tool][drift] = outcomes
    print(f"{len(cases)} real edits up to {revision} (one file of one commit of this repository each, {sum(len(c['hunks']) for c in cases)} hunks)")
    for drift in DRIFTS:
        left = sum(1 for c in cases if drifted(c, drift) is None)
        if left:
            print(f"  {drift}: {left} cases left out (see the script's header)")
    print("applied exactly / failed (with a hint) / WRONG, per kind of drift:\n")
    header = f"{'tool':24}" + "".join(f"{d:>18}" for d in DRIFTS) + f"{'drifted, exact':>18}{'WRONG':>8}"
    print(header)
    for tool in tools:
        cells, drifted_exact, drifted_total, wrong = [], 0, 0, 0
        for drift in DRIFTS:
            outcomes = [o[0] for o in table[tool][drift].values()]
            exact = outcomes.count("exact")
            hint = outcomes.count("hint")
            failed = outcomes.count("failed") + hint
            bad = outcomes.count("WRONG")
            wrong += bad
            if drift != "exact":
                drifted_exact += exact
                drifted_total += len(outcomes)
            cell = f"{exact}/{failed}" + (f"({hint})" if tool.startswith("ghost") else "") + f"/{bad}"
            cells.append(f"{cell:>18}")
        share = 100.0 * drifted_exact / max(drifted_total, 1)
        print(f"{tool:24}" + "".join(cells) + f"{share:>17.1f}%{wrong:>8}")
    for tool, drift, pid, outcome in examples[:10]:
        print(f"WRONG: {tool} {drift} {pid}: {outcome[2]}")
    failures = [(tool, drift, pid, o) for tool in tools if tool.startswith("ghost") for drift in DRIFTS
                for pid, o in table[tool][drift].items() if o[0] in ("failed", "hint") and drift in ("exact", "edit_above", "crlf")]
    for tool, drift, pid, outcome in failures[:8]:
        print(f"failed where it should apply: {tool} {drift} {pid} {outcome[1]}: {outcome[2][:200]}")
    return 1 if examples else 0


if __name__ == "__main__":
    sys.exit(main())
