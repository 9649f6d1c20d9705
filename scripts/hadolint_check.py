#!/usr/bin/env python3
"""Measure `dockopt fix` on the corpus with hadolint and BuildKit's parser.

For the apps and official Dockerfiles of the corpus:
  1. count hadolint findings per code before and after `dockopt fix`
     (on a scratch copy), for the codes dockopt addresses;
  2. check that no new hadolint error appears in any file;
  3. check that every fixed file still parses in BuildKit (PyPI `dockerfile`)
     when the original did;
  4. check that a second `dockopt fix` changes nothing.

Usage: hadolint_check.py DOCKOPT_BINARY CORPUS_DIR [--min-reduction 0.8] [-- extra fix args]
Exits 1 when a check fails.
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

CODES = "DL3009 DL3014 DL3015 DL3019 DL3020 DL3025 DL3042 DL3059 DL3060 DL3032 DL3040 DL3036".split()


def hadolint(path):
    proc = subprocess.run(["hadolint", "--no-fail", "-f", "json", path], capture_output=True, text=True)
    try:
        return json.loads(proc.stdout or "[]")
    except ValueError:
        return []


def buildkit_ok(path):
    import dockerfile
    try:
        dockerfile.parse_file(path)
        return True
    except dockerfile.GoParseError:
        return False


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    binary, corpus = os.path.abspath(args[0]), args[1]
    min_reduction = 0.8
    if "--min-reduction" in args:
        min_reduction = float(args[args.index("--min-reduction") + 1])
    work = tempfile.mkdtemp(prefix="dockopt-hadolint-")
    files = []
    for sub in ("apps", "official"):
        for name in sorted(os.listdir(os.path.join(corpus, sub))):
            if name.endswith(".Dockerfile"):
                os.makedirs(os.path.join(work, sub), exist_ok=True)
                dst = os.path.join(work, sub, name)
                with open(os.path.join(corpus, sub, name), "rb") as f, open(dst, "wb") as g:
                    g.write(f.read())
                files.append((os.path.join(corpus, sub, name), dst))
    before = collections.Counter()
    after = collections.Counter()
    errors_before = {}
    for src, _ in files:
        found = hadolint(src)
        before.update(r["code"] for r in found)
        errors_before[src] = {(r["code"]) for r in found if r["level"] == "error"}
    subprocess.run([binary, "fix", "--quiet", *extra, work], capture_output=True)
    failures = []
    for src, dst in files:
        found = hadolint(dst)
        after.update(r["code"] for r in found)
        new_errors = {r["code"] for r in found if r["level"] == "error"} - errors_before[src]
        if new_errors:
            failures.append(f"{dst}: new hadolint errors {sorted(new_errors)}")
        if buildkit_ok(src) and not buildkit_ok(dst):
            failures.append(f"{dst}: BuildKit no longer parses the fixed file")
    second = subprocess.run([binary, "fix", "--diff", *extra, work], capture_output=True, text=True)
    if second.stdout.strip():
        failures.append("a second fix changes files:\n" + second.stdout[:2000])
    total_b = sum(before[c] for c in CODES)
    total_a = sum(after[c] for c in CODES)
    print(f"{'code':8} {'before':>7} {'after':>7}")
    for c in CODES:
        print(f"{c:8} {before[c]:>7} {after[c]:>7}")
    reduction = 1 - total_a / total_b if total_b else 1.0
    print(f"{'total':8} {total_b:>7} {total_a:>7}   reduction {reduction:.1%}")
    if reduction < min_reduction:
        failures.append(f"reduction {reduction:.1%} is below {min_reduction:.0%}")
    for f in failures:
        print("FAIL:", f)
    print(f"hadolint check: {len(files)} files, {len(failures)} failures")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
