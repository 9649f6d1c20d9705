#!/usr/bin/env python3
"""Regenerate the build-proof tables of examples/README.md.

Runs `dockopt verify --format markdown` on every example, once per mode
(safe fixes; hoisting with cache mounts; every unsafe fix), with the
example's probe.sh, and puts each mode's table and details between the
README's markers:

    <!-- verify:MODE -->
    ...generated...
    <!-- /verify:MODE -->

Usage: examples_table.py DOCKOPT --builder BUILDER [--mode MODE]...
Takes a few minutes per mode; nothing else in the README is touched.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")

MODES = {
    "safe": [],
    "cache-mounts": ["--unsafe", "--ignore", "multi-stage-split"],
    "unsafe": ["--unsafe"],
}


def table(dockopt, builder, extra):
    """One markdown document: the rows of every example, then their details."""
    header, rows, details = None, [], []
    for d in sorted(glob.glob(os.path.join(EXAMPLES, "*", "Dockerfile"))):
        name = os.path.basename(os.path.dirname(d))
        probe = os.path.join(os.path.dirname(d), "probe.sh")
        cmd = [dockopt, "verify", "--builder", builder, "--format", "markdown", *extra]
        if os.path.exists(probe):
            cmd += ["--probe", open(probe).read()]
        cmd.append(f"{name}/Dockerfile")
        print(f"== {name} {' '.join(extra)}", file=sys.stderr, flush=True)
        p = subprocess.run(cmd, cwd=EXAMPLES, stdout=subprocess.PIPE, text=True)
        if p.returncode == 2 or not p.stdout.startswith("|"):
            # One example that cannot be verified (a full disk, a registry
            # outage) is a row that says so, not a lost table.
            print(f"{name}: dockopt verify failed (exit {p.returncode})", file=sys.stderr)
            rows.append(f"| [{name}/Dockerfile]({name}/Dockerfile) | not verified (exit {p.returncode}) | | | | | | | | |")
            continue
        lines = p.stdout.split("\n")
        header = lines[:2]
        body_end = next(i for i, l in enumerate(lines) if i >= 2 and not l.startswith("|"))
        rows += lines[2:body_end]
        details.append("\n".join(lines[body_end:]).strip("\n"))
    header = header or [
        "| Dockerfile | verdict | fixes | size before | size after | layers | build before | build after | rebuild before | rebuild after |",
        "| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    return "\n".join(header + rows) + "\n\n" + "\n\n".join(x for x in details if x) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dockopt")
    ap.add_argument("--builder", required=True)
    ap.add_argument("--mode", action="append", choices=sorted(MODES))
    a = ap.parse_args()
    readme_path = os.path.join(EXAMPLES, "README.md")
    readme = open(readme_path).read()
    for mode in a.mode or list(MODES):
        text = table(os.path.abspath(a.dockopt), a.builder, MODES[mode])
        pattern = re.compile(rf"(<!-- verify:{mode} -->\n).*?(<!-- /verify:{mode} -->)", re.S)
        if not pattern.search(readme):
            sys.exit(f"examples/README.md has no <!-- verify:{mode} --> markers")
        readme = pattern.sub(lambda m: m.group(1) + text + m.group(2), readme)
        with open(readme_path, "w") as f:
            f.write(readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
