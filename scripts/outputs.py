"""Writes what a dockopt binary makes of every corpus file, fixture case and
example into a folder, so that two versions can be compared with `diff -r`.

    python3 scripts/outputs.py BINARY CORPUS OUT_DIR

For each file: `fix` (safe), `fix --unsafe`, and the findings of `check`
(code, line, message, fix status), one text file each.
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def inputs(corpus):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for sub in ("official", "apps"):
        d = os.path.join(corpus, sub)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                yield f"{sub}/{name}", os.path.join(d, name), d
    cases = os.path.join(root, "transforms", "cases")
    for rule in sorted(os.listdir(cases)):
        folder = os.path.join(cases, rule)
        ctx = os.path.join(folder, "context")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".Dockerfile"):
                yield f"cases/{rule}/{name}", os.path.join(folder, name), ctx if os.path.isdir(ctx) else folder
    examples = os.path.join(root, "examples")
    for name in sorted(os.listdir(examples)):
        f = os.path.join(examples, name, "Dockerfile")
        if os.path.isfile(f):
            yield f"examples/{name}", f, os.path.join(examples, name)


def run(binary, args, path, context):
    with open(path, "rb") as f:
        p = subprocess.run([binary, *args, "--no-config", "--context", context, "-"],
                           stdin=f, capture_output=True)
    return p.stdout.decode("utf-8", errors="replace"), p.returncode


def one(binary, out, item):
    key, path, context = item
    base = os.path.join(out, key.replace("/", "__"))
    fixed, _ = run(binary, ["fix"], path, context)
    unsafe, _ = run(binary, ["fix", "--unsafe"], path, context)
    report, _ = run(binary, ["check", "--unsafe", "--format", "json"], path, context)
    lines = []
    try:
        for f in json.loads(report).get("files", []):
            for x in f.get("findings", []):
                status = x.get("not_applied") or (x.get("fix") or {}).get("applicability", "no fix")
                lines.append(f"{x['start']['line']}: {x['code']} {x['name']}: {x['message']} [{status}]")
            if f.get("error"):
                lines.append(f"error: {f['error']}")
    except (ValueError, KeyError) as e:
        lines.append(f"unreadable report: {e}")
    with open(base + ".fix", "w") as w:
        w.write(fixed)
    with open(base + ".unsafe", "w") as w:
        w.write(unsafe)
    with open(base + ".findings", "w") as w:
        w.write("\n".join(lines) + "\n")


def main():
    binary, corpus, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    items = list(inputs(corpus))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda i: one(binary, out, i), items))
    print(f"{len(items)} files written to {out}")


if __name__ == "__main__":
    main()
