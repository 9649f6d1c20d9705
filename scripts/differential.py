#!/usr/bin/env python3
"""Compare `dockopt parse --format json` with BuildKit's parser.

The oracle is the `dockerfile` package from PyPI, which wraps BuildKit's Go
parser. For every file: where BuildKit accepts it, every field must agree;
where BuildKit rejects it, dockopt must report an error too.

Usage: differential.py DOCKOPT_BINARY PATH...   (directories are walked)
Deliberate differences are listed in docs/parser.md.
"""
import json
import os
import subprocess
import sys

import dockerfile


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in sorted(names):
                    if n.endswith((".tsv", ".md", "result")) or n in ("envVarTest", "wordsTest"):
                        continue
                    yield os.path.join(root, n)
        else:
            yield p


def oracle(path):
    try:
        cmds = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        return None, str(e)
    out = []
    for c in cmds:
        out.append({
            # BuildKit keeps the keyword's case; dockopt prints it upper case.
            "cmd": c.cmd.upper(),
            "sub_cmd": c.sub_cmd.upper() if c.sub_cmd else None,
            "json": c.json,
            "original": c.original,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [
                {"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content}
                for h in c.heredocs
            ],
        })
    return out, None


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    total = agree = 0
    failures = []
    for path in files(paths):
        total += 1
        want, err = oracle(path)
        proc = subprocess.run([binary, "parse", "--format", "json", path],
                              capture_output=True)
        if want is None:
            if proc.returncode == 0:
                failures.append(f"{path}: BuildKit rejects it ({err}) but dockopt reports no error")
            else:
                agree += 1
            continue
        try:
            got = json.loads(proc.stdout)
        except ValueError:
            failures.append(f"{path}: dockopt printed no JSON: {proc.stderr.decode()[:200]}")
            continue
        if got == want:
            agree += 1
            continue
        if len(got) != len(want):
            failures.append(f"{path}: {len(got)} instructions, BuildKit has {len(want)}")
            continue
        for g, w in zip(got, want):
            if g != w:
                diff = {k: (g.get(k), w.get(k)) for k in w if g.get(k) != w.get(k)}
                failures.append(f"{path}:{w['start_line']}: differs (dockopt, buildkit): {diff}")
                break
    for f in failures:
        print(f)
    print(f"differential: {agree} passed, {total - agree} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
