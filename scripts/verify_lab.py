#!/usr/bin/env python3
"""Run `dockopt verify` on the examples and on fixture cases, in the lab.

Every example under examples/ is verified with its safe fixes and its
probe.sh. Fixture cases under transforms/cases/<rule>/ are verified with
only their rule (as the fixture tests run them) when the rule has a
`context/` folder and every base image the case names is in the builder's
storage. A case whose original does not build is reported and skipped:
fixtures are written to show text, not all of them build.

Fails (exit 1) when a safe fix's verdict is not `equivalent`. Unsafe fixes
(`--unsafe`, for cases whose name says unsafe and for multi-stage-split)
are verified and reported, never failed on.

Usage: verify_lab.py DOCKOPT --builder BUILDER [--all] [--only examples|fixtures]
                     [--no-rebuild] [--json-dir DIR]
Without --all, fixture cases are the CHOSEN list below; with
--no-rebuild (as CI runs it) the whole run takes about fifteen minutes on
two busy cores. --all verifies every eligible case (about eight minutes
more); the timed rebuilds add about a fifth.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Fixture cases verified in CI: those whose original builds in the lab
# (most fixtures show text and name tools or files the lab lacks); `--all`
# tries every case the lab has base images for.
CHOSEN = [
    "hoist-manifests/bad_npm_without_lock",
    "hoist-manifests/bad_pip_includes",
    "hoist-manifests/bad_npm_install_with_lock_moves_as_written",
]

# Rules whose fixes are unsafe by design.
UNSAFE_RULES = {"multi-stage-split", "cache-mounts"}


def bases(path):
    """External images a Dockerfile's FROM lines name (not earlier stages)."""
    names, stages = [], set()
    for line in open(path, encoding="utf-8-sig", errors="replace"):
        m = re.match(r"\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if not m:
            continue
        image = m.group(1)
        if image.lower() not in stages and image != "scratch":
            names.append(image)
        if m.group(2):
            stages.add(m.group(2).lower())
    return names


def have_image(builder, image):
    name = os.path.basename(builder)
    cmd = [builder, "inspect", "--type", "image", image] if name.startswith("buildah") \
        else [builder, "image", "inspect", image]
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def verify(dockopt, builder, dockerfile, extra, json_dir, label):
    cmd = [dockopt, "verify", "--builder", builder, "--format", "json", *extra, dockerfile]
    start = time.time()
    print(f"== {label}", flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    took = time.time() - start
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        print(f"   no report (exit {p.returncode}): {p.stdout[:500]}")
        return None, took
    if json_dir:
        with open(os.path.join(json_dir, label.replace("/", "__") + ".json"), "w") as f:
            json.dump(report, f, indent=1)
    return report, took


def summary(r):
    o, n = r["original"], r["rewritten"]
    fixes = ",".join(a["name"] for a in r["applied"]) or "-"
    return (f"{r['verdict']:<10} fixes={fixes} size={o['size_bytes']}->{n['size_bytes']} "
            f"layers={o['layers']}->{n['layers']} rebuild={o['rebuild_seconds']}->{n['rebuild_seconds']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dockopt")
    ap.add_argument("--builder", required=True)
    ap.add_argument("--all", action="store_true", help="every eligible fixture case")
    ap.add_argument("--only", choices=["examples", "fixtures"])
    ap.add_argument("--json-dir")
    ap.add_argument("--no-rebuild", action="store_true",
                    help="skip the timed rebuilds of the examples (CI: verdicts only)")
    a = ap.parse_args()
    if a.json_dir:
        os.makedirs(a.json_dir, exist_ok=True)
    failures, rows, total = [], [], time.time()

    if a.only != "fixtures":
        for d in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "Dockerfile"))):
            name = os.path.basename(os.path.dirname(d))
            probe = os.path.join(os.path.dirname(d), "probe.sh")
            extra = ["--probe", open(probe).read()] if os.path.exists(probe) else []
            if a.no_rebuild:
                extra.append("--no-rebuild")
            r, took = verify(a.dockopt, a.builder, d, extra, a.json_dir, f"examples/{name}")
            if r is None:
                failures.append(f"examples/{name}: no report")
                continue
            rows.append((f"examples/{name}", r, took))
            if r["changed"] and r["verdict"] != "equivalent":
                failures.append(f"examples/{name}: {r['verdict']}: {'; '.join(r['differences'][:5])}")

    if a.only != "examples":
        for case in sorted(glob.glob(os.path.join(ROOT, "transforms", "cases", "*", "*.Dockerfile"))):
            rule = os.path.basename(os.path.dirname(case))
            stem = os.path.basename(case)[: -len(".Dockerfile")]
            label = f"{rule}/{stem}"
            ctx = os.path.join(os.path.dirname(case), "context")
            if not os.path.isdir(ctx) or not stem.startswith("bad_"):
                continue
            if not a.all and label not in CHOSEN:
                continue
            missing = [b for b in bases(case) if not have_image(a.builder, b)]
            if missing:
                print(f"== {label}: skipped, the lab has no {', '.join(missing)}")
                continue
            unsafe = rule in UNSAFE_RULES or "unsafe" in stem
            extra = ["--select", rule, "--context", ctx, "--no-rebuild"]
            if unsafe:
                extra.append("--unsafe")
            r, took = verify(a.dockopt, a.builder, case, extra, a.json_dir, label)
            if r is None:
                failures.append(f"{label}: no report")
                continue
            if not r["original"]["built"]:
                print(f"   the original does not build ({r['original']['failed_step']}): skipped")
                continue
            rows.append((label + (" (unsafe)" if unsafe else ""), r, took))
            if not unsafe and r["changed"] and r["verdict"] != "equivalent":
                failures.append(f"{label}: {r['verdict']}: {'; '.join(r['differences'][:5])}")

    print("\n== verify summary")
    for label, r, took in rows:
        print(f"{label:<45} {summary(r)} ({took:.0f} s)")
    print(f"total {time.time() - total:.0f} s")
    for f in failures:
        print(f"FAIL {f}")
    passed = len(rows) - len(failures)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
