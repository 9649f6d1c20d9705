#!/usr/bin/env python3
"""Serve files with the nginx configuration multi-stage-split writes.

For each static front-end fixture, run `dockopt fix --unsafe`, take the
server block from the heredoc it writes, and run a real nginx with it over
a small site. The answers must be what the original Node file server gives:
the same port, `serve -s` falling back to index.html, `serve` finding
about.html for /about, and http-server answering 404 for what is not there.

Usage: nginx_check.py DOCKOPT_BINARY
Needs nginx on PATH or in /usr/sbin. Exits 1 when an answer differs.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from fixed import fix_unsafe, report

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CASES = os.path.join(ROOT, "transforms/cases/multi-stage-split")
# case: (port of the original server, single-page fallback, clean URLs)
EXPECTED = {
    "bad_node_static_site": (3000, True, True),
    "bad_node_static_start_script": (8080, True, True),
    "bad_node_static_http_server": (8080, False, False),
}


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def check(binary, nginx, case, port, spa, clean, work):
    try:
        out = fix_unsafe(
            binary,
            os.path.join(CASES, case + ".Dockerfile"),
            os.path.join(CASES, "context"),
            "--select",
            "multi-stage-split",
        )
    except RuntimeError as e:
        return [f"{case}: {e}"]
    m = re.search(r"^COPY <<'NGINX' /etc/nginx/conf.d/default.conf\n(.*?)^NGINX$", out, re.S | re.M)
    if not m:
        return [f"{case}: no nginx configuration in the fix"]
    conf = m.group(1)
    errors = []
    if f"listen {port};" not in conf:
        errors.append(f"{case}: does not listen on {port}")
    html = os.path.join(work, case, "html")
    os.makedirs(os.path.join(html, "assets"))
    for name, body in [("index.html", "index"), ("about.html", "about"), ("assets/app.js", "js")]:
        with open(os.path.join(html, name), "w") as f:
            f.write(body)
    local = re.sub(r"listen \d+;", "listen 127.0.0.1:38181;", conf)
    local = local.replace("root /usr/share/nginx/html;", f"root {html};")
    base = os.path.join(work, case)
    with open(os.path.join(base, "server.conf"), "w") as f:
        f.write(local)
    with open(os.path.join(base, "nginx.conf"), "w") as f:
        f.write(
            f"worker_processes 1;\npid {base}/nginx.pid;\nerror_log {base}/error.log;\n"
            f"events {{ worker_connections 16; }}\n"
            f"http {{ access_log off; include {base}/server.conf; }}\n"
        )
    args = [nginx, "-p", base, "-c", os.path.join(base, "nginx.conf")]
    test = subprocess.run(args + ["-t"], capture_output=True, text=True)
    if test.returncode != 0:
        return errors + [f"{case}: nginx rejects the configuration: {test.stderr.strip()}"]
    subprocess.run(args, check=True)
    try:
        for _ in range(50):
            if os.path.exists(os.path.join(base, "nginx.pid")):
                break
            time.sleep(0.05)
        url = "http://127.0.0.1:38181"
        want = {
            "/": (200, "index"),
            "/assets/app.js": (200, "js"),
            "/about": (200, "about") if clean else (404, None),
            "/settings/profile": (200, "index") if spa else (404, None),
        }
        for path, (status, body) in want.items():
            got = get(url + path)
            if got[0] != status or (body is not None and got[1] != body):
                errors.append(f"{case}: GET {path} gave {got[0]} {got[1]!r}, want {status} {body!r}")
    finally:
        subprocess.run(args + ["-s", "stop"], capture_output=True)
        time.sleep(0.2)
    return errors


def main():
    binary = os.path.abspath(sys.argv[1])
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = tempfile.mkdtemp(prefix="dockopt-nginx-")
    os.chmod(work, 0o755)  # nginx's workers run as an unprivileged user
    errors = []
    for case, (port, spa, clean) in EXPECTED.items():
        errors += check(binary, nginx, case, port, spa, clean, work)
    shutil.rmtree(work, ignore_errors=True)
    report(f"nginx check: {len(EXPECTED)} static front ends", errors)


if __name__ == "__main__":
    main()
