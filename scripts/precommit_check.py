#!/usr/bin/env python3
"""Run this repository's pre-commit hooks with the real pre-commit.

Makes a small git project with Dockerfiles and files that only look like
them, then runs `pre-commit try-repo` on it, as a user trying the hooks
would: pre-commit clones this repository, builds dockopt from source into
a virtualenv (pip and maturin) and runs the hooks on the project.

1. `dockopt-check` alone fails, names the findings and changes nothing.
2. Both hooks: `dockopt` rewrites each Dockerfile exactly as
   `DOCKOPT_BINARY fix` does and fails because it changed files; then
   `dockopt-check` passes on the result. Files that are not Dockerfiles
   (Dockerfile.md, Dockerfile.j2) are never touched.

Usage: precommit_check.py DOCKOPT_BINARY [PRE_COMMIT]
PRE_COMMIT is the pre-commit executable (default: `python3 -m pre_commit`).
Set CARGO_TARGET_DIR to reuse a release build's dependencies.
Exits 1 when the hooks do not behave so.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

PROJECT = {
    # Safe fixes only, so that after `dockopt` the check passes.
    "Dockerfile": "FROM alpine:3.20\nRUN apk update && apk add curl\n",
    "services/api/dockerfile.dev": "FROM alpine:3.20\nRUN apk update\nRUN apk add git\n",
    "clean/Containerfile": "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
    # Not Dockerfiles: the hooks must leave them alone.
    "docs/Dockerfile.md": "RUN apk update && apk add curl\n",
    "templates/Dockerfile.j2": "FROM {{ base }}\nRUN apk update && apk add curl\n",
}
DOCKERFILES = ["Dockerfile", "services/api/dockerfile.dev"]

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(cmd, cwd, **kw):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)


def write_project(dest):
    for rel, text in PROJECT.items():
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def read(dest, rel):
    with open(os.path.join(dest, rel)) as f:
        return f.read()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    dockopt = os.path.abspath(sys.argv[1])
    pre_commit = [sys.argv[2]] if len(sys.argv) == 3 else [sys.executable, "-m", "pre_commit"]
    tmp = tempfile.mkdtemp(prefix="dockopt-pre-commit-")
    try:
        # What `dockopt fix` writes, for comparison.
        expected_dir = os.path.join(tmp, "expected")
        write_project(expected_dir)
        fixed = run([dockopt, "fix", *DOCKERFILES], expected_dir)
        check(fixed.returncode == 0, f"dockopt fix fixes the project: {fixed.stderr.strip()}")
        expected = {rel: read(expected_dir, rel) for rel in PROJECT}
        check(
            all(expected[rel] != PROJECT[rel] for rel in DOCKERFILES),
            "the project has something to fix",
        )

        project = os.path.join(tmp, "project")
        write_project(project)
        env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
            r = run(cmd, project, env=env)
            if r.returncode != 0:
                sys.exit(f"{' '.join(cmd)}: {r.stderr}")

        # 1. The check hook alone.
        r = run([*pre_commit, "try-repo", ROOT, "dockopt-check", "--all-files"], project, env=env)
        out = r.stdout + r.stderr
        print(out)
        check(r.returncode == 1, f"dockopt-check fails on findings (exit {r.returncode})")
        check("DKR003" in out and "DKR001" in out, "dockopt-check names the findings")
        check("Dockerfile.md" not in out and "Dockerfile.j2" not in out,
              "dockopt-check skips files that are not Dockerfiles")
        unchanged = run(["git", "diff", "--quiet"], project)
        check(unchanged.returncode == 0, "dockopt-check changes nothing")

        # 2. Both hooks, in pre-commit's order: dockopt, then dockopt-check.
        r = run([*pre_commit, "try-repo", ROOT, "--all-files"], project, env=env)
        out = r.stdout + r.stderr
        print(out)
        check(r.returncode == 1, f"dockopt fails when it changed files (exit {r.returncode})")
        check("files were modified by this hook" in out, "pre-commit saw the rewrite")
        lines = [l for l in out.splitlines() if l.startswith("dockopt")]
        check(len(lines) == 2 and lines[0].endswith("Failed") and lines[1].endswith("Passed"),
              f"dockopt failed and dockopt check passed after it: {lines}")
        for rel in PROJECT:
            check(read(project, rel) == expected[rel], f"{rel} is what dockopt fix makes of it")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("pre-commit hooks: all checks passed")


if __name__ == "__main__":
    main()
