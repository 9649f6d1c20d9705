#!/usr/bin/env python3
"""Rebuild times of the examples after a source-only change, before and
after `dockopt fix`, as the median of several `dockopt verify` runs.

    python3 scripts/rebuild_table.py DOCKOPT --builder BUILDER [--runs 3]
            [--update] [EXAMPLE...]

Each run is `dockopt verify --format json` with the example's probe.sh:
both sides are built from scratch, warmed, then rebuilt after one line is
appended to the same source file, and timed. One run on a busy machine can
be off by seconds, so each side's figure is the median of the runs. Prints
a Markdown table; with --update, puts it in examples/README.md between
`<!-- rebuilds -->` and `<!-- /rebuilds -->`. Without EXAMPLE, every Node
and Python example.
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def run(dockopt, builder, name):
    probe = os.path.join(EXAMPLES, name, "probe.sh")
    cmd = [dockopt, "verify", "--builder", builder, "--format", "json"]
    if os.path.exists(probe):
        cmd += ["--probe", open(probe).read()]
    p = subprocess.run(cmd + [f"{name}/Dockerfile"], cwd=EXAMPLES, capture_output=True, text=True)
    try:
        return json.loads(p.stdout)
    except ValueError:
        print(f"{name}: dockopt verify failed (exit {p.returncode})", file=sys.stderr)
        return None


def row(name, reports):
    reports = [r for r in reports if r]
    if not reports:
        return f"| [{name}]({name}/Dockerfile) | not verified | | | | |"
    last = reports[-1]
    fixes = ", ".join(a["name"] for a in last.get("applied", [])) or "none"
    if not last.get("changed", True) or not last["rewritten"].get("built"):
        return f"| [{name}]({name}/Dockerfile) | {fixes} | | | | nothing to rebuild differently |"
    before = [r["original"]["rebuild_seconds"] for r in reports if r["original"].get("rebuild_seconds")]
    after = [r["rewritten"]["rebuild_seconds"] for r in reports if r["rewritten"].get("rebuild_seconds")]
    if not before or not after:
        return f"| [{name}]({name}/Dockerfile) | {fixes} | | | | no rebuild timed |"
    b, a = statistics.median(before), statistics.median(after)
    runs = " ".join(f"{x:.1f}/{y:.1f}" for x, y in zip(before, after))
    return (f"| [{name}]({name}/Dockerfile) | {fixes} | {b:.1f} s | {a:.1f} s | "
            f"{b / a:.1f}x | {runs} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dockopt")
    ap.add_argument("--builder", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("examples", nargs="*")
    a = ap.parse_args()
    names = a.examples or sorted(
        os.path.basename(os.path.dirname(d))
        for d in glob.glob(os.path.join(EXAMPLES, "*", "Dockerfile"))
        if re.match(r"(node|python)-", os.path.basename(os.path.dirname(d))))
    lines = [
        "| example | safe fixes | rebuild before | rebuild after | faster | runs (before/after, s) |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for name in names:
        reports = []
        for i in range(a.runs):
            print(f"== {name} run {i + 1}/{a.runs}", file=sys.stderr, flush=True)
            r = run(os.path.abspath(a.dockopt), a.builder, name)
            reports.append(r)
            if r and (not r.get("changed", True) or not r["rewritten"].get("built")):
                break
        lines.append(row(name, reports))
    table = "\n".join(lines) + "\n"
    print(table)
    if a.update:
        path = os.path.join(EXAMPLES, "README.md")
        text = open(path).read()
        pattern = re.compile(r"(<!-- rebuilds -->\n).*?(<!-- /rebuilds -->)", re.S)
        if not pattern.search(text):
            sys.exit("examples/README.md has no <!-- rebuilds --> markers")
        with open(path, "w") as f:
            f.write(pattern.sub(lambda m: m.group(1) + table + m.group(2), text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
