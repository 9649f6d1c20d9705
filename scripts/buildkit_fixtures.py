#!/usr/bin/env python3
"""Check that BuildKit's parser (PyPI `dockerfile`) reads what dockopt writes.

For every fixture case under transforms/cases/<rule>/ and every example
under examples/, run `dockopt fix --unsafe --select ALL` (with the case folder's
`context/`, or the example's own folder, as the build context) and parse
the result with BuildKit's parser. The fixture tests already check dockopt's
own parser; this checks the one that builds the image, heredocs and stage
graphs included.

Every output must also keep a sound stage graph: unique stage names, and
`--from` naming an earlier stage. With CORPUS_DIR, the corpus's apps and
official Dockerfiles are checked the same way.

Usage: buildkit_fixtures.py DOCKOPT_BINARY [CORPUS_DIR]
Exits 1 when an output does not parse or its stage graph is broken.
"""
import glob
import os
import sys

import dockerfile

from fixed import fix_unsafe, report


def parse_path(path):
    """BuildKit's parse of a file. The Python wrapper takes text: bytes that
    are not UTF-8 become U+FFFD, a character BuildKit reads as it reads such
    a byte (part of a word)."""
    with open(path, "rb") as f:
        return dockerfile.parse_string(f.read().decode("utf-8", errors="replace"))


def stage_graph_errors(commands):
    """Stage names must be unique and `--from` must name an earlier stage
    (or an image, which has a tag, digest or registry)."""
    errors, names = [], []
    for c in commands:
        if c.cmd.upper() == "FROM":
            if len(c.value) == 3 and c.value[1].upper() == "AS":
                name = c.value[2].lower()
                if name in names:
                    errors.append(f"line {c.start_line}: stage {name} defined twice")
                names.append(name)
            else:
                names.append(None)
        for flag in c.flags:
            if flag.startswith("--from="):
                ref = flag[len("--from="):].lower()
                index_ok = ref.isdigit() and int(ref) < len(names) - 1
                image = any(ch in ref for ch in ":/@")
                if ref not in names[:-1] and not index_ok and not image:
                    errors.append(f"line {c.start_line}: --from={ref} names no earlier stage")
    return errors


def main():
    binary = os.path.abspath(sys.argv[1])
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    cases = []
    for path in sorted(glob.glob(os.path.join(root, "transforms/cases/*/*.Dockerfile"))):
        cases.append((path, os.path.join(os.path.dirname(path), "context")))
    for path in sorted(glob.glob(os.path.join(root, "examples/*/Dockerfile"))):
        cases.append((path, os.path.dirname(path)))
    if len(sys.argv) > 2:
        for sub in ("apps", "official"):
            for path in sorted(glob.glob(os.path.join(sys.argv[2], sub, "*.Dockerfile"))):
                cases.append((path, os.path.dirname(path)))
    failures = []
    for path, context in cases:
        if not os.path.isdir(context):
            context = os.path.dirname(path)
        rel = os.path.relpath(path, root) if path.startswith(root) else path
        try:
            original_ok = True
            try:
                parse_path(path)
            except dockerfile.GoParseError:
                original_ok = False
            # ALL: the opt-in transforms' rewrites must parse too.
            out = fix_unsafe(binary, path, context, "--select", "ALL")
            if original_ok:
                graph = stage_graph_errors(dockerfile.parse_string(out))
                if graph and not stage_graph_errors(parse_path(path)):
                    failures.append(f"{rel}: " + "; ".join(graph))
        except (dockerfile.GoParseError, RuntimeError) as e:
            failures.append(f"{rel}: {e}")
    report(f"buildkit fixtures: {len(cases)} cases", failures)


if __name__ == "__main__":
    main()
