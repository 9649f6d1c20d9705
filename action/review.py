#!/usr/bin/env python3
"""`review` mode of the GitHub Action: dockopt's fixes as suggested changes.

Runs `dockopt fix --diff` on the checkout, turns each change into a GitHub
suggestion on the lines it replaces, and posts them as one pull request
review. GitHub takes review comments only on lines inside the pull
request's diff: changes elsewhere go into the review's body as a diff.
Suggestions already on the pull request (a re-run) are not posted again.

Reads INPUT_PATHS and INPUT_ARGS (split on white space), GITHUB_TOKEN and
the variables GitHub Actions sets (GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
GITHUB_API_URL, GITHUB_OUTPUT). Writes the outputs status (dockopt's exit
code: 0 nothing to change, 1 changes, 2 error) and suggestions (how many
were posted). Exits 1 only when it cannot do its job; whether changes fail
the workflow is the action's last step's business.
"""
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
MARKER = "<!-- dockopt -->"


class Hunk:
    def __init__(self, old_start, new_start):
        self.old_start = old_start
        self.new_start = new_start
        self.lines = []  # (tag, text): tag is " ", "-" or "+"

    def text(self):
        head = "@@ -%d,%d +%d,%d @@" % (
            self.old_start,
            sum(t != "+" for t, _ in self.lines),
            self.new_start,
            sum(t != "-" for t, _ in self.lines),
        )
        return "\n".join([head] + [t + s for t, s in self.lines])


def parse_diff(text):
    """Unified diff text -> {path: [Hunk]}, paths without `a/` and `b/`."""
    files = {}
    path = None
    hunk = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            new = lines[i + 1][4:].split("\t")[0]
            path = new[2:] if new.startswith("b/") else new
            files.setdefault(path, [])
            hunk = None
            i += 2
            continue
        m = HUNK.match(line)
        if m and path is not None:
            hunk = Hunk(int(m.group(1)), int(m.group(3)))
            files[path].append(hunk)
        elif hunk is not None and line[:1] in (" ", "-", "+"):
            hunk.lines.append((line[0], line[1:].rstrip("\r")))
        elif hunk is not None and line == "":
            hunk.lines.append((" ", ""))
        i += 1
    return files


def suggestions(hunk):
    """A hunk's changes as (first line, last line, new lines): each replaces
    lines of the old file. A pure insertion keeps the line it follows (or,
    at the top of the file, the line it precedes) inside the suggestion."""
    out = []
    old = hunk.old_start
    prev = None  # (line number, text) of the last context line
    i = 0
    lines = hunk.lines
    while i < len(lines):
        tag, text = lines[i]
        if tag == " ":
            prev = (old, text)
            old += 1
            i += 1
            continue
        first = old
        removed, added = [], []
        while i < len(lines) and lines[i][0] != " ":
            tag, text = lines[i]
            if tag == "-":
                removed.append(text)
                old += 1
            else:
                added.append(text)
            i += 1
        if removed:
            out.append((first, first + len(removed) - 1, added))
        elif prev is not None:
            out.append((prev[0], prev[0], [prev[1]] + added))
        elif i < len(lines):
            out.append((old, old, added + [lines[i][1]]))
    return out


def commentable(patch):
    """The new-file line ranges a pull request file's patch shows."""
    ranges = []
    for line in (patch or "").splitlines():
        m = HUNK.match(line)
        if m:
            start = int(m.group(3))
            count = int(m.group(4)) if m.group(4) is not None else 1
            if count:
                ranges.append((start, start + count - 1))
    return ranges


def fence(lines):
    longest = max([len(r) for l in lines for r in re.findall(r"`+", l)] + [2])
    return "`" * (longest + 1)


def suggestion_body(lines, notes):
    f = fence(lines)
    body = [MARKER, "**dockopt** suggests:"]
    body += ["- " + n for n in notes]
    body += ["", f + "suggestion"] + lines + [f]
    return "\n".join(body)


class GitHub:
    def __init__(self, api, repo, token):
        self.api = api.rstrip("/")
        self.repo = repo
        self.token = token

    def call(self, method, path, data=None):
        req = urllib.request.Request(
            f"{self.api}/repos/{self.repo}{path}",
            method=method,
            data=None if data is None else json.dumps(data).encode(),
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "dockopt-action",
            },
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.load(r)

    def pages(self, path):
        out = []
        for page in range(1, 31):
            sep = "&" if "?" in path else "?"
            got = self.call("GET", f"{path}{sep}per_page=100&page={page}")
            out += got
            if len(got) < 100:
                break
        return out


def run_dockopt(paths, args):
    cmd = ["dockopt", "fix", "--diff", "--color", "never", *args, *paths]
    diff = subprocess.run(cmd, capture_output=True, text=True)
    if diff.stderr:
        sys.stderr.write(diff.stderr)
    notes = {}
    check = subprocess.run(
        ["dockopt", "check", "--format", "json", *args, *paths], capture_output=True, text=True
    )
    try:
        for f in json.loads(check.stdout).get("files", []):
            for x in f.get("findings", []):
                key = (f["path"].removeprefix("./"), x["start"]["line"])
                notes.setdefault(key, []).append(f"{x['code']} {x['name']}: {x['message']}")
    except (ValueError, KeyError, TypeError, AttributeError):
        notes = {}  # Suggestions stand without their notes.
    return diff.returncode, diff.stdout, notes


def output(**values):
    with open(os.environ.get("GITHUB_OUTPUT", os.devnull), "a") as f:
        for k, v in values.items():
            f.write(f"{k}={v}\n")


def main():
    paths = os.environ.get("INPUT_PATHS", ".").split() or ["."]
    args = os.environ.get("INPUT_ARGS", "").split()
    status, diff, notes = run_dockopt(paths, args)
    print(diff, end="")
    # On errors (exit 2) the files that could be read still get their
    # suggestions; the action's last step fails the run.
    output(status=status)
    files = parse_diff(diff)
    if not files:
        print("dockopt: nothing to suggest")
        output(suggestions=0)
        return 0

    event_name = os.environ.get("GITHUB_EVENT_NAME", "")
    if event_name not in ("pull_request", "pull_request_target"):
        print(f"::notice::dockopt review mode posts on pull requests; this is a {event_name or 'local'} run")
        output(suggestions=0)
        return 0
    with open(os.environ["GITHUB_EVENT_PATH"]) as f:
        pr = json.load(f)["pull_request"]
    head = pr["head"]["sha"]
    here = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    if here != head:
        print(
            f"::error::dockopt review mode needs the pull request's head commit checked out "
            f"(actions/checkout with ref: ${{{{ github.event.pull_request.head.sha }}}}); "
            f"HEAD is {here or 'unknown'}, the head is {head}"
        )
        return 1

    gh = GitHub(
        os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        os.environ["GITHUB_REPOSITORY"],
        os.environ.get("GITHUB_TOKEN", ""),
    )
    number = pr["number"]
    try:
        shown = {f["filename"]: commentable(f.get("patch")) for f in gh.pages(f"/pulls/{number}/files")}
        posted = {
            (c.get("path"), c.get("line"), c.get("body"))
            for c in gh.pages(f"/pulls/{number}/comments")
        }
        reviewed = {r.get("body") for r in gh.pages(f"/pulls/{number}/reviews")}
    except urllib.error.URLError as e:
        print(f"::error::dockopt: cannot read the pull request: {e}")
        return 1

    comments, elsewhere = [], []
    for path, hunks in files.items():
        ranges = shown.get(path, [])
        for hunk in hunks:
            left = []
            for first, last, lines in suggestions(hunk):
                if not any(a <= first and last <= b for a, b in ranges):
                    left.append((first, last))
                    continue
                found = [n for line in range(first, last + 1) for n in notes.get((path, line), [])]
                body = suggestion_body(lines, found)
                if (path, last, body) in posted:
                    continue
                c = {"path": path, "line": last, "side": "RIGHT", "body": body}
                if first != last:
                    c.update(start_line=first, start_side="RIGHT")
                comments.append(c)
            if left:
                elsewhere.append((path, hunk))

    body = [MARKER, f"dockopt would change {len(files)} file(s)."]
    if elsewhere:
        body += [
            "",
            "<details><summary>Changes outside this pull request's diff</summary>",
            "",
        ]
        for path, hunk in elsewhere:
            body += [f"`{path}`", "", "```diff", hunk.text(), "```", ""]
        body += ["</details>"]
    body += ["", "Apply them locally with `dockopt fix`."]
    body = "\n".join(body)
    if not comments and body in reviewed:
        print("dockopt: every suggestion is on the pull request already")
        output(suggestions=0)
        return 0
    review = {"commit_id": head, "event": "COMMENT", "body": body, "comments": comments}
    try:
        gh.call("POST", f"/pulls/{number}/reviews", review)
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        if e.code in (401, 403):
            print(
                f"::warning::dockopt cannot post a review ({e.code}): the token lacks "
                f"`pull-requests: write`, as on pull requests from forks. {detail}"
            )
            output(suggestions=0)
            return 0
        print(f"::error::dockopt: posting the review failed ({e.code}): {detail}")
        return 1
    print(f"dockopt: posted {len(comments)} suggestion(s)")
    output(suggestions=len(comments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
