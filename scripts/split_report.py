#!/usr/bin/env python3
"""What multi-stage-split does on the corpus: final stages it splits, and
the ones it refuses, counted by reason.

    python3 scripts/split_report.py DOCKOPT_BINARY CORPUS_DIR [options]

Options:
  --json FILE       also write the counts as JSON (for a later --compare)
  --compare FILE    print each count next to the one in FILE (an earlier run)
  --list            print every file with its outcome
  --min-split N     exit 1 when fewer than N final stages are split

Each output of a split is then checked: BuildKit's parser (PyPI
`dockerfile`) reads it, and a second `fix --unsafe` changes nothing.
Exits 1 when one does not, so CI can run it.
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

# Reasons grouped by what they say, not by the names they mention.
GROUPS = [
    (r"^the RUN at line \d+ runs [^,]+, which may write files the runtime needs",
     "a RUN runs a tool that may write files the runtime needs"),
    (r"^the RUN at line \d+ removes files", "a RUN removes files the runtime stage would copy back"),
    (r"^the RUN at line \d+ cannot be read", "a RUN cannot be read"),
    (r"^the RUN at line \d+ \(creating USER", "a USER is created by a RUN that does more"),
    (r"^(apt-get|apt|apk|dnf|yum|microdnf) installs ", "a system package may be needed at run time"),
    (r"^USER \S+ is not created in this stage", "a USER the runtime base may lack"),
    (r"^COPY --chown=\S+ names a user", "COPY --chown to a named user"),
    (r"runs (\S+), which the slim runtime base lacks", "the command's script runs a tool the runtime lacks"),
    (r"^the command runs \S+, which is not in the build context",
     "the command's script is not in the build context"),
    (r"\.toml|Cargo\.lock|package\.json|Makefile|CMakeLists|is not in the build context",
     "a file the plan reads is not in the build context"),
    (r"^the toolchain tag \S+ has no version", "the toolchain tag has no version"),
    (r"links (a native library|-l)", "the program links a library the runtime may lack"),
    (r"^the runtime library of ", "a library the runtime needs is not in the table"),
    (r"^the program runs ", "the program runs a system binary the runtime lacks"),
]


def group(reason):
    reason = reason.removeprefix("not split: ")
    for pattern, name in GROUPS:
        if re.search(pattern, reason):
            return name
    return re.sub(r"\d+", "N", reason)


def check(binary, path, context):
    with open(path, "rb") as f:
        p = subprocess.run(
            [binary, "check", "--unsafe", "--no-config", "--select", "multi-stage-split",
             "--format", "json", "--context", context, "-"],
            stdin=f, capture_output=True)
    out = []
    try:
        for file in json.loads(p.stdout).get("files", []):
            for x in file.get("findings", []):
                if x.get("fix"):
                    out.append(("split", x["fix"]["title"]))
                else:
                    out.append(("refused", x.get("not_applied") or x["message"]))
    except ValueError:
        out.append(("error", p.stderr.decode(errors="replace").strip()))
    return out


def fix_text(binary, data, context):
    p = subprocess.run([binary, "fix", "--unsafe", "--no-config", "--context", context, "-"],
                       input=data, capture_output=True)
    return p.stdout


def verify_output(binary, path, context):
    """Problems with the fixed file: BuildKit cannot read it, or a second
    fix changes it."""
    with open(path, "rb") as f:
        once = fix_text(binary, f.read(), context)
    problems = []
    try:
        import dockerfile
        dockerfile.parse_string(once.decode("utf-8", errors="replace"))
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001 - any parse error is a finding
        problems.append(f"BuildKit cannot parse the output: {e}")
    if fix_text(binary, once, context) != once:
        problems.append("a second fix --unsafe changes the output")
    return problems


def inputs(corpus):
    for sub in ("official", "apps"):
        d = os.path.join(corpus, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith("Dockerfile"):
                yield f"{sub}/{name}", os.path.join(d, name), d


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, corpus = os.path.abspath(args[0]), args[1]
    opts = dict(zip(args[2::2], args[3::2])) if "--list" not in args else {}
    if "--list" in args:
        rest = [a for a in args[2:] if a != "--list"]
        opts = dict(zip(rest[0::2], rest[1::2]))
    items = list(inputs(corpus))
    if not items:
        msg = f"no corpus at {corpus}"
        if os.environ.get("CI") == "true":
            sys.exit(msg)
        print(f"skipped: {msg}")
        return
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda i: (i, check(binary, i[1], i[2])), items))
    split, refused, errors = [], {}, []
    for (key, path, ctx), findings in results:
        for outcome, text in findings:
            if outcome == "split":
                split.append((key, path, ctx, text))
            elif outcome == "refused":
                refused.setdefault(group(text), []).append((key, text))
            else:
                errors.append((key, text))
            if "--list" in args:
                print(f"{key}\t{outcome}\t{text}")
    counts = {
        "files": len(items),
        "final stages on a toolchain": len(split) + sum(len(v) for v in refused.values()),
        "split": len(split),
        "refused": {k: len(v) for k, v in sorted(refused.items(), key=lambda kv: (-len(kv[1]), kv[0]))},
    }
    before = {}
    if "--compare" in opts:
        with open(opts["--compare"]) as f:
            before = json.load(f)

    def show(label, now, then):
        print(f"| {label} | {then if before else ''} | {now} |" if before else f"| {label} | {now} |")

    print("| outcome | before | after |" if before else "| outcome | count |")
    print("| --- | --- | --- |" if before else "| --- | --- |")
    show("final stages on a toolchain image", counts["final stages on a toolchain"],
         before.get("final stages on a toolchain", 0))
    show("split", counts["split"], before.get("split", 0))
    reasons = list(counts["refused"]) + [r for r in before.get("refused", {}) if r not in counts["refused"]]
    for r in reasons:
        show(f"refused: {r}", counts["refused"].get(r, 0), before.get("refused", {}).get(r, 0))
    if "--json" in opts:
        with open(opts["--json"], "w") as f:
            json.dump(counts, f, indent=2, sort_keys=True)
            f.write("\n")
    bad = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        checked = list(pool.map(lambda s: (s[0], verify_output(binary, s[1], s[2])), split))
    for key, problems in checked:
        for p in problems:
            print(f"{key}: {p}", file=sys.stderr)
            bad += 1
    for key, text in errors:
        print(f"{key}: error: {text}", file=sys.stderr)
        bad += 1
    if bad:
        sys.exit(f"{bad} problem(s) with split outputs")
    if int(opts.get("--min-split", 0)) > counts["split"]:
        sys.exit(f"only {counts['split']} split, expected at least {opts['--min-split']}")


if __name__ == "__main__":
    main()
