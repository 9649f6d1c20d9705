#!/usr/bin/env python3
"""Builds the COPY/ADD case table for real and compares.

Reads crates/dockopt-engine/src/model/copy_cases.txt (the table the unit
tests check the model against), makes its build context under /tmp, builds
every case with buildah into one image (cases that fail the build on purpose,
or that use a flag this buildah lacks, are built one by one), lists the files
each case left in the image, and prints one row per case:

    case <TAB> lab verdict <TAB> detail

Verdicts: `agrees` (the image holds exactly the table's files, each from
the table's source), `differs`, `fails as expected` (error cases),
`buildah cannot build` (a flag this buildah does not know).

Env: BUILDAH (default: buildah), BASE (default: debian:bookworm-slim),
WORK (default: /tmp/dockopt-copy-lab). buildah must see WORK: the lab's
chroot buildah sees only /tmp.
"""

import gzip
import hashlib
import http.server
import io
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "crates/dockopt-engine/src/model/copy_cases.txt")
BUILDAH = shlex.split(os.environ.get("BUILDAH", "buildah"))
BASE = os.environ.get("BASE", "debian:bookworm-slim")
WORK = os.environ.get("WORK", "/tmp/dockopt-copy-lab")


def read_table():
    files, tars, ignore, cases = [], [], [], []
    for line in open(TABLE, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == "file":
            files.append(rest)
        elif word in ("tar", "targz", "gzip"):
            path, *members = rest.split(" ")
            tars.append((word, path, members))
        elif word == "ignore":
            ignore.append(rest)
        elif word == "case":
            cases.append({"name": rest, "mkdir": [], "expect": set(), "error": None,
                          "workdir": None, "run": None, "lab": None})
        elif word in ("mkdir",):
            cases[-1]["mkdir"].append(rest)
        elif word == "expect":
            dest, _, src = rest.partition(" ")
            cases[-1]["expect"].add((dest, src))
        elif word in ("workdir", "run", "error", "lab"):
            cases[-1][word] = rest
    return files, tars, ignore, cases


def make_context(files, tars, ignore):
    """Writes the context; returns {sha256: source name}."""
    ctx = os.path.join(WORK, "ctx")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(ctx)
    names = {}

    def put(path, data, name):
        full = os.path.join(ctx, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        names[hashlib.sha256(data).hexdigest()] = name

    for path in files:
        put(path, path.encode(), path)
    for kind, path, members in tars:
        if kind == "gzip":
            put(path, gzip.compress(b"no tar here\n", mtime=0), path)
            continue
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for m in members:
                body = f"tar:{m}".encode()
                names[hashlib.sha256(body).hexdigest()] = f"tar:{m}"
                info = tarfile.TarInfo(m)
                info.size = len(body)
                info.mode = 0o644
                t.addfile(info, io.BytesIO(body))
        data = buf.getvalue()
        if kind == "targz":
            data = gzip.compress(data, mtime=0)
        put(path, data, path)
    with open(os.path.join(ctx, ".dockerignore"), "w") as f:
        f.write("\n".join(ignore) + "\n")
    url_body = b"downloaded\n"
    names[hashlib.sha256(url_body).hexdigest()] = "url"
    dl = os.path.join(WORK, "http", "dl")
    os.makedirs(dl)
    with open(os.path.join(dl, "file.bin"), "wb") as f:
        f.write(url_body)
    return ctx, names


def serve(directory):
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=directory, **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lines_for(case, port):
    root = f"/c/{case['name']}"
    sub = lambda s: s.replace("$R", root).replace("$PORT", str(port))
    out = []
    if case["mkdir"]:
        out.append("RUN mkdir -p " + " ".join(sub(d) for d in case["mkdir"]))
    if case["workdir"]:
        out.append("WORKDIR " + sub(case["workdir"]))
    out.append(sub(case["run"]))
    out.append("WORKDIR /")
    return out


def build(tag, body, ctx):
    dockerfile = os.path.join(WORK, f"{tag}.Dockerfile")
    with open(dockerfile, "w") as f:
        f.write(f"FROM {BASE}\n" + "\n".join(body) + "\n")
    r = subprocess.run(BUILDAH + ["bud", "--isolation", "chroot", "--format", "docker", "-q",
                                  "-t", tag, "-f", dockerfile, ctx],
                       capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def listing(tag, names):
    c = subprocess.run(BUILDAH + ["from", "-q", tag], capture_output=True, text=True, check=True).stdout.strip()
    try:
        out = subprocess.run(BUILDAH + ["run", "--isolation", "chroot", c, "--", "sh", "-c",
                                        "[ -d /c ] && find /c -type f -exec sha256sum {} + || true"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(BUILDAH + ["rm", c], capture_output=True)
    found = {}
    for line in out.splitlines():
        digest, _, path = line.partition("  ")
        found[path] = names.get(digest, f"?{digest[:12]}")
    return found


def compare(case, found):
    root = f"/c/{case['name']}"
    got = {(p, s) for p, s in found.items() if p == root or p.startswith(root + "/")}
    want = {(d.replace("$R", root), s) for d, s in case["expect"]}
    if got == want:
        return "agrees", ""
    return "differs", f"image has {sorted(got - want)}, lacks {sorted(want - got)}"


def main():
    files, tars, ignore, cases = read_table()
    ctx, names = make_context(files, tars, ignore)
    server = serve(os.path.join(WORK, "http"))
    port = server.server_address[1]
    print(f"# {' '.join(BUILDAH)} --version: "
          + subprocess.run(BUILDAH + ["--version"], capture_output=True, text=True).stdout.strip(),
          file=sys.stderr)

    # Which newer flags this buildah knows.
    unsupported = {}
    for flag, probe in (("--parents", "COPY --parents a.txt /probe/"),
                        ("--exclude", "COPY --exclude=*.md docs /probe/"),
                        ("--unpack", "ADD --unpack=false app.tar /probe/"),
                        ("--link", "COPY --link a.txt /probe/")):
        ok, log = build("copylab-probe", [probe], ctx)
        if not ok:
            unsupported[flag] = log.splitlines()[-1] if log else "failed"

    results = {}
    together, alone = [], []
    for case in cases:
        flag = next((f for f in unsupported if f in case["run"]), None)
        if flag:
            results[case["name"]] = ("buildah cannot build", f"{flag}: {unsupported[flag]}")
        elif case["error"]:
            alone.append(case)
        else:
            together.append(case)

    body = [line for case in together for line in lines_for(case, port)]
    ok, log = build("copylab-all", body, ctx)
    if ok:
        found = listing("copylab-all", names)
        for case in together:
            results[case["name"]] = compare(case, found)
    else:
        print("# the combined build failed; building cases one by one\n" + log, file=sys.stderr)
        alone = together + alone
    for case in alone:
        tag = "copylab-" + case["name"].replace("_", "-")
        ok, log = build(tag, lines_for(case, port), ctx)
        if case["error"]:
            results[case["name"]] = (("fails as expected", log.splitlines()[-1] if log else "")
                                     if not ok else ("differs", "buildah built it; BuildKit fails"))
        elif not ok:
            results[case["name"]] = ("differs", "buildah failed: " + (log.splitlines()[-1] if log else ""))
        else:
            results[case["name"]] = compare(case, listing(tag, names))
    server.shutdown()

    print("case\tlab verdict\tdetail")
    for case in cases:
        verdict, detail = results[case["name"]]
        if verdict == "differs" and case["lab"]:
            verdict, detail = "differs (known)", f"{case['lab']}; {detail}"
        print(f"{case['name']}\t{verdict}\t{detail}")


if __name__ == "__main__":
    main()
