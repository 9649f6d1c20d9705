#!/usr/bin/env python3
"""Tests of the GitHub Action's scripts, run locally against a real dockopt
and a stand-in for GitHub's REST API on a loopback port.

Usage: DOCKOPT=target/release/dockopt python3 -m unittest discover -s action -p 'test_*.py'
Without DOCKOPT, `dockopt` is taken from PATH. check-jsonschema, when
installed, validates action.yml against GitHub's schema for actions.
"""
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import review  # noqa: E402

DOCKOPT = os.path.abspath(os.environ["DOCKOPT"]) if os.environ.get("DOCKOPT") else shutil.which("dockopt")

# Three changes: the apk line (inside the pull request's diff), merging the
# two RUNs at the bottom (outside it), and nothing on the rest.
DOCKERFILE = """FROM alpine:3.20
RUN apk update && apk add curl
WORKDIR /app
COPY . .
RUN echo one
RUN echo two
"""


def run(cmd, cwd, env=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd}: {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def outputs(path):
    values = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            values[k] = v
    return values


class FakeGitHub(http.server.ThreadingHTTPServer):
    """Answers the few calls review.py makes, and keeps what was posted."""

    def __init__(self, files, comments=(), reviews=(), post_status=200):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files = files
        self.comments = list(comments)
        self.reviews = list(reviews)
        self.post_status = post_status
        self.posted = []
        self.auth = set()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.auth.add(self.headers.get("Authorization"))
        path, _, query = self.path.partition("?")
        found = re.search(r"(?:^|&)page=(\d+)", query)
        page = int(found.group(1)) if found else 1
        items = {
            "/repos/o/r/pulls/7/files": self.server.files,
            "/repos/o/r/pulls/7/comments": self.server.comments,
            "/repos/o/r/pulls/7/reviews": self.server.reviews,
        }.get(path)
        if items is None:
            return self.reply(404, {"message": "Not Found"})
        self.reply(200, items[(page - 1) * 100 : page * 100])

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/repos/o/r/pulls/7/reviews":
            return self.reply(404, {"message": "Not Found"})
        if self.server.post_status != 200:
            return self.reply(self.server.post_status, {"message": "Resource not accessible by integration"})
        self.server.posted.append(body)
        self.reply(200, {"id": 1})


@unittest.skipIf(DOCKOPT is None, "no dockopt binary (set DOCKOPT)")
class ActionScripts(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dockopt-action-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        os.symlink(DOCKOPT, os.path.join(self.bin, "dockopt"))
        self.work = os.path.join(self.tmp, "work")
        os.makedirs(os.path.join(self.work, "svc"))
        with open(os.path.join(self.work, "svc", "Dockerfile"), "w") as f:
            f.write(DOCKERFILE)
        with open(os.path.join(self.work, "svc", "app.sh"), "w") as f:
            f.write("echo hi\n")
        git = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "x"]):
            run(cmd, self.work, env=git)
        self.head = run(["git", "rev-parse", "HEAD"], self.work).stdout.strip()
        self.output = os.path.join(self.tmp, "output")
        open(self.output, "w").close()
        self.event = os.path.join(self.tmp, "event.json")
        with open(self.event, "w") as f:
            json.dump({"pull_request": {"number": 7, "head": {"sha": self.head}}}, f)

    def env(self, **extra):
        env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"],
                   GITHUB_OUTPUT=self.output, NO_COLOR="1")
        env.update(extra)
        return env

    def fixed(self):
        """What `dockopt fix` writes for the Dockerfile."""
        copy = os.path.join(self.tmp, "fixed")
        shutil.copytree(self.work, copy, ignore=shutil.ignore_patterns(".git"))
        run(["dockopt", "fix", "svc/Dockerfile"], copy, env=self.env(), check=False)
        with open(os.path.join(copy, "svc", "Dockerfile")) as f:
            return f.read()

    def github(self, *args, **kwargs):
        gh = FakeGitHub(*args, **kwargs)
        self.addCleanup(gh.server_close)
        self.addCleanup(gh.shutdown)
        return gh

    def review(self, gh, **extra):
        values = dict(GITHUB_API_URL=gh.url, GITHUB_REPOSITORY="o/r", GITHUB_TOKEN="t0ken",
                      GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=self.event,
                      INPUT_PATHS="svc", INPUT_ARGS="")
        values.update(extra)
        env = self.env(**values)
        return run([sys.executable, os.path.join(HERE, "review.py")], self.work, env=env, check=False)

    # check mode

    def test_check_writes_sarif_annotations_and_outputs(self):
        env = self.env(INPUT_PATHS="svc\n", INPUT_ARGS="--select DKR001,DKR003", SARIF_FILE="out.sarif")
        r = run(["bash", os.path.join(HERE, "check.sh")], self.work, env=env)
        self.assertIn("::warning file=svc/Dockerfile,line=2", r.stdout)
        with open(os.path.join(self.work, "out.sarif")) as f:
            sarif = json.load(f)
        rules = sorted({x["ruleId"] for x in sarif["runs"][0]["results"]})
        self.assertEqual(rules, ["DKR001", "DKR003"])
        out = outputs(self.output)
        self.assertEqual(out["status"], "1")
        self.assertEqual(out["sarif-file"], "out.sarif")
        self.assertEqual(out["findings"], str(len(sarif["runs"][0]["results"])))

    def test_check_reports_usage_errors(self):
        env = self.env(INPUT_PATHS=".", INPUT_ARGS="--select NOPE")
        run(["bash", os.path.join(HERE, "check.sh")], self.work, env=env)
        out = outputs(self.output)
        self.assertEqual(out["status"], "2")
        self.assertEqual(out["sarif-file"], "")

    def test_result_fails_on_findings_and_errors(self):
        script = os.path.join(HERE, "result.sh")
        for status, fail, code in [("0", "true", 0), ("1", "true", 1), ("1", "false", 0), ("2", "false", 1)]:
            r = run(["bash", script], self.tmp, env=self.env(STATUS=status, FAIL_ON_FINDINGS=fail), check=False)
            self.assertEqual(r.returncode, code, (status, fail, r.stdout))

    # review mode

    def pr_files(self, first, count):
        patch = f"@@ -{first},{count} +{first},{count} @@\n" + "\n".join(
            " " + l for l in DOCKERFILE.splitlines()[first - 1 : first - 1 + count]
        )
        return [{"filename": "svc/Dockerfile", "patch": patch}]

    def test_review_posts_suggestions_on_the_diff_and_the_rest_in_the_body(self):
        gh = self.github(self.pr_files(1, 3))
        r = self.review(gh)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(gh.posted), 1)
        self.assertEqual(gh.auth, {"Bearer t0ken"})
        posted = gh.posted[0]
        self.assertEqual(posted["commit_id"], self.head)
        self.assertEqual(posted["event"], "COMMENT")
        comments = posted["comments"]
        self.assertEqual(len(comments), 1, comments)
        c = comments[0]
        self.assertEqual((c["path"], c["line"], c["side"]), ("svc/Dockerfile", 2, "RIGHT"))
        self.assertNotIn("start_line", c)
        suggested = re.search(r"```suggestion\n(.*)\n```", c["body"], re.S).group(1)
        fixed = self.fixed().splitlines()
        self.assertEqual(suggested, fixed[1])
        self.assertIn("DKR003 apk", c["body"])
        # The merge of the last RUNs is outside the diff: in the body.
        self.assertIn("```diff", posted["body"])
        self.assertIn("-RUN echo two", posted["body"])
        out = outputs(self.output)
        self.assertEqual((out["status"], out["suggestions"]), ("1", "1"))

    def test_review_suggestions_applied_give_what_fix_writes(self):
        gh = self.github(self.pr_files(1, 6))
        r = self.review(gh)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        comments = gh.posted[0]["comments"]
        self.assertNotIn("```diff", gh.posted[0]["body"])
        lines = DOCKERFILE.splitlines()
        # Apply from the bottom so that line numbers hold.
        for c in sorted(comments, key=lambda c: -c["line"]):
            first = c.get("start_line", c["line"])
            new = re.search(r"```suggestion\n(.*?)\n?```", c["body"], re.S).group(1)
            lines[first - 1 : c["line"]] = new.split("\n") if new else []
        self.assertEqual("\n".join(lines) + "\n", self.fixed())
        multi = [c for c in comments if "start_line" in c]
        self.assertTrue(multi and multi[0]["start_side"] == "RIGHT", comments)

    def test_review_does_not_repeat_itself(self):
        gh = self.github(self.pr_files(1, 6))
        self.review(gh)
        first = gh.posted[0]
        gh.comments = [{"path": c["path"], "line": c["line"], "body": c["body"]} for c in first["comments"]]
        gh.reviews = [{"body": first["body"]}]
        r = self.review(gh)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(gh.posted), 1, "posted again")
        self.assertIn("already", r.stdout)

    def test_review_needs_the_head_commit(self):
        with open(self.event, "w") as f:
            json.dump({"pull_request": {"number": 7, "head": {"sha": "0" * 40}}}, f)
        gh = self.github(self.pr_files(1, 6))
        r = self.review(gh)
        self.assertEqual(r.returncode, 1)
        self.assertIn("head commit", r.stdout)
        self.assertEqual(gh.posted, [])

    def test_review_without_write_access_warns(self):
        gh = self.github(self.pr_files(1, 6), post_status=403)
        r = self.review(gh)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("::warning::", r.stdout)
        self.assertEqual(outputs(self.output)["suggestions"], "0")

    def test_review_outside_pull_requests_only_prints(self):
        gh = self.github([])
        r = self.review(gh, GITHUB_EVENT_NAME="push")
        self.assertEqual(r.returncode, 0)
        self.assertIn("+RUN apk add --no-cache curl", r.stdout)
        self.assertEqual(gh.posted, [])

    # install

    def test_install_builds_the_action_source_once(self):
        calls = os.path.join(self.tmp, "cargo-calls")
        with open(os.path.join(self.bin, "cargo"), "w") as f:
            f.write(f"""#!/bin/sh
echo "$@" >> {calls}
root=$(echo "$@" | sed 's/.*--root \\([^ ]*\\).*/\\1/')
mkdir -p "$root/bin" && ln -sf {DOCKOPT} "$root/bin/dockopt"
""")
        os.chmod(os.path.join(self.bin, "cargo"), 0o755)
        path_file = os.path.join(self.tmp, "path")
        root = os.path.join(self.tmp, "install")
        env = self.env(GITHUB_PATH=path_file, DOCKOPT_ROOT=root, RUNNER_OS="Linux", RUNNER_ARCH="X64")
        script = os.path.join(HERE, "install.sh")
        run(["bash", script, "key"], self.tmp, env=env)
        key = outputs(self.output)["key"]
        self.assertRegex(key, r"^dockopt-Linux-X64-source-[0-9a-f]{16}$")
        for _ in range(2):
            r = run(["bash", script, "install"], self.tmp, env=env)
            self.assertIn("dockopt", r.stdout)
        with open(calls) as f:
            self.assertEqual(f.read().splitlines(), [
                f"install --locked --root {root} --path {ROOT}/crates/dockopt-cli"
            ])
        with open(path_file) as f:
            self.assertEqual(set(f.read().split()), {os.path.join(root, "bin")})
        open(self.output, "w").close()
        run(["bash", script, "key"], self.tmp, env=dict(env, DOCKOPT_VERSION="0.2.0"))
        self.assertEqual(outputs(self.output)["key"], "dockopt-Linux-X64-crates-0.2.0")


class Diffs(unittest.TestCase):
    def test_changes_become_line_suggestions(self):
        diff = "\n".join([
            "--- a/Dockerfile",
            "+++ b/Dockerfile",
            "@@ -1,6 +1,6 @@",
            " FROM a",
            "-RUN x",
            "-RUN y",
            "+RUN x && y",
            " COPY . .",
            "+USER app",
            " CMD z",
            "@@ -10,1 +10,2 @@",
            "+# top",
            " EXPOSE 80",
        ])
        files = review.parse_diff(diff)
        self.assertEqual(list(files), ["Dockerfile"])
        got = [s for h in files["Dockerfile"] for s in review.suggestions(h)]
        self.assertEqual(got, [
            (2, 3, ["RUN x && y"]),
            (4, 4, ["COPY . .", "USER app"]),
            (10, 10, ["# top", "EXPOSE 80"]),
        ])

    def test_commentable_ranges(self):
        self.assertEqual(review.commentable("@@ -1,2 +1,3 @@\n a\n+b\n c\n@@ -9 +10 @@\n-x"), [(1, 3), (10, 10)])
        self.assertEqual(review.commentable(None), [])

    def test_fences_outgrow_backticks(self):
        self.assertEqual(review.fence(["RUN echo ```"]), "````")
        self.assertEqual(review.fence(["RUN x"]), "```")


class Metadata(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, "action.yml")) as f:
            self.text = f.read()

    def test_scripts_and_inputs_exist(self):
        for script in re.findall(r"\$GITHUB_ACTION_PATH/(action/[\w.]+)", self.text):
            self.assertTrue(os.path.isfile(os.path.join(ROOT, script)), script)
        declared = set(re.findall(r"^  ([\w-]+):\n    description:", self.text, re.M))
        used = set(re.findall(r"inputs\.([\w-]+)", self.text))
        self.assertTrue(used, "no inputs used")
        self.assertLessEqual(used, declared)

    def test_schema(self):
        """action.yml and the example workflows follow GitHub's schemas."""
        if importlib.util.find_spec("check_jsonschema") is None:
            if os.environ.get("CI"):
                self.fail("check-jsonschema is missing under CI")
            self.skipTest("no check-jsonschema")
        examples = os.path.join(HERE, "examples")
        for schema, files in [
            ("vendor.github-actions", [os.path.join(ROOT, "action.yml")]),
            ("vendor.github-workflows", [os.path.join(examples, f) for f in sorted(os.listdir(examples))]),
        ]:
            self.assertTrue(files)
            r = run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *files], ROOT,
                    check=False)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

if __name__ == "__main__":
    unittest.main()
