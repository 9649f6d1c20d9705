#!/usr/bin/env python3
"""Compare `dockopt parse --format json` with BuildKit's parser.

The oracle is the `dockerfile` package from PyPI, which wraps BuildKit's Go
parser. For every file: where BuildKit accepts it, every field must agree;
where BuildKit rejects it, dockopt must report an error too.

Usage: differential.py DOCKOPT_BINARY PATH...   (directories are walked)
       differential.py DOCKOPT_BINARY --random COUNT SEED   (generated files)
       differential.py DOCKOPT_BINARY --edges   (edge cases: JSON, line limits)
Deliberate differences are listed in docs/parser.md.
"""
import json
import os
import subprocess
import sys

import dockerfile


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in sorted(names):
                    if n.endswith((".tsv", ".md", "result")) or n in ("envVarTest", "wordsTest"):
                        continue
                    yield os.path.join(root, n)
        else:
            yield p


def oracle(path):
    try:
        cmds = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        return None, str(e)
    out = []
    for c in cmds:
        out.append({
            # BuildKit keeps the keyword's case; dockopt prints it upper case.
            "cmd": (c.cmd or "").upper(),
            "sub_cmd": c.sub_cmd.upper() if c.sub_cmd else None,
            "json": c.json,
            "original": c.original or "",
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [
                {"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content}
                for h in c.heredocs
            ],
        })
    return out, None


FRAGMENTS = [
    "FROM alpine", "from --platform=$P alpine:3 AS b", "FROM", "RUN echo hi", "run  echo 'a b' \"c\"",
    "RUN --mount=type=cache,target=/x --network=none make", "RUN [\"a\", \"b\"]", "RUN [\"a\", 1]",
    "CMD [ \"x\" ]", "CMD x", "CMD [\"a\", 'b']", "ENTRYPOINT [\"/bin/sh\",\"-c\"]", "ENV a=b c=\"d e\"",
    "ENV x y z", "ENV a", "ENV", "LABEL a=b", "LABEL k v", "ARG V", "ARG a=1 b", "EXPOSE 80 443/udp",
    "VOLUME [\"/a\"]", "VOLUME /a /b", "USER u:g", "WORKDIR /w", "SHELL [\"pwsh\"]", "STOPSIGNAL 9",
    "MAINTAINER me", "HEALTHCHECK NONE", "HEALTHCHECK --interval=5s CMD curl x", "HEALTHCHECK CMD [\"a\"]",
    "ONBUILD RUN x", "ONBUILD", "onbuild copy . /", "COPY --from=b --chown=1:1 a b", "COPY -- a b",
    "ADD --checksum=sha256:x http://e/f /", "COPY [\"a b\", \"c\"]", "BOGUS x y", "copy --link a\\ b c",
    "RUN a \\\\", "RUN é ☃", "ENV k=v\\ w", "LABEL \"a b\"=c", "RUN --a=\"x y\" b", "RUN  ",
    "CMD [\"npm\",\"start\"] # note", "RUN [\"a\"] && b", "COPY [\"a\", \"b\"] c d", "CMD [] x",
    "ONBUILD ONBUILD RUN x",
]
HEREDOCS = [
    ("RUN <<EOF", ["echo 1", "EOF"]), ("RUN <<-EOF", ["\techo", "\tEOF"]),
    ("COPY <<a <<'b' /d", ["x", "a", "y", "b"]), ("RUN 3<<X cat", ["z", "X"]),
    ("RUN cat <<\"EOF\" | sh", ["$x", "EOF"]), ("ONBUILD RUN <<EOF", ["x", "EOF"]),
    ("RUN [\"<<EOF\"]", []), ("RUN <<EOF", ["never ends"]),
]


def random_file(rng):
    lines = []
    if rng.random() < 0.2:
        lines.append(rng.choice(["# syntax=docker/dockerfile:1", "# escape=`", "#escape=\\", "# check=skip=all", "# escape=x"]))
    escape = "`" if lines and "escape=`" in lines[0] else "\\"
    for _ in range(rng.randint(0, 8)):
        r = rng.random()
        if r < 0.1:
            lines.append(rng.choice(["", "  ", "# c", "   # indented", "\t"]))
        elif r < 0.2:
            head, body = rng.choice(HEREDOCS)
            lines.append(head)
            lines.extend(body)
        else:
            frag = rng.choice(FRAGMENTS)
            words = frag.split(" ")
            if len(words) > 1 and rng.random() < 0.4:
                cut = rng.randint(1, len(words) - 1)
                mid = [rng.choice(["", "  # inside", "   ", "\t\t"]) for _ in range(rng.randint(0, 2))]
                tail = rng.choice(["", " ", "\t"])
                lines.append(" ".join(words[:cut]) + " " + escape + tail)
                lines.extend(mid)
                lines.append(rng.choice(["", "  "]) + " ".join(words[cut:]))
            else:
                lines.append(rng.choice(["", " ", "\t"]) + frag)
    eol = rng.choice(["\n", "\n", "\r\n"])
    text = eol.join(lines)
    if rng.random() < 0.7:
        text += eol
    if rng.random() < 0.1:
        text += escape
    if rng.random() < 0.1:
        text = "\ufeff" + text
    return text


def random_cases(n, seed, workdir):
    import random
    rng = random.Random(seed)
    for i in range(n):
        path = os.path.join(workdir, f"case{i}.Dockerfile")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(random_file(rng))
        yield path


def edge_cases():
    """Where BuildKit's readers differ from most: Go's JSON decoder (text
    after the array, surrogates, number range, nesting depth, control
    characters) and the 64 KiB line scanner, heredoc bodies included."""
    head = b"FROM a\n"
    deep = lambda n: b"[" * n + b"1" + b"]" * n
    cases = {
        "json-trailing-comment": b'CMD ["npm","start"] # note\n',
        "json-trailing-words": b'CMD ["a"] x y\n',
        "json-trailing-bracket": b'ENTRYPOINT ["a"]]\n',
        "json-empty-trailing": b"CMD []x\n",
        "json-run-trailing": b'RUN ["a", "b"] && c\n',
        "json-copy-trailing": b'COPY ["a", "b"] c\n',
        "json-number-trailing": b"CMD [1] x\n",
        "json-nested": b'CMD ["a", [1]]\n',
        "json-surrogates": b'CMD ["\\ud83d\\ude00\\ud800\\u0041"]\n',
        "json-out-of-range": b'CMD ["a", 1e400]\n',
        "json-nested-out-of-range": b'CMD ["a", {"k": [1e400]}]\n',
        "json-leading-zero": b'CMD ["a", 01]\n',
        "json-trailing-comma": b'CMD ["a" , ]\n',
        "json-bad-escape": b'CMD ["\\x"]\n',
        "json-control-char": b'CMD ["a\x01"]\n',
        "json-unterminated": b'CMD ["a"\n',
        "json-depth-10000": b"CMD " + deep(10000) + b"\n",
        "json-depth-10001": b"CMD " + deep(10001) + b"\n",
        "heredoc-line-65535": b"RUN <<EOF\n" + b"x" * 65535 + b"\nEOF\n",
        "heredoc-line-65536": b"RUN <<EOF\n" + b"x" * 65536 + b"\nEOF\n",
        "comment-line-65535": b"# " + b"x" * 65533 + b"\n",
        "comment-line-65536": b"# " + b"x" * 65534 + b"\n",
        "line-crlf-65534": b"RUN " + b"x" * 65530 + b"\r\n",
        "line-crlf-65535": b"RUN " + b"x" * 65531 + b"\r\n",
        "line-eof-65535": b"RUN " + b"x" * 65531,
        "line-eof-65536": b"RUN " + b"x" * 65532,
        "continuation-65536": b"RUN a\\\n" + b"x" * 65536 + b"\n",
        "onbuild-onbuild": b"ONBUILD ONBUILD RUN x\n",
        "onbuild-onbuild-empty": b"ONBUILD ONBUILD\n",
    }
    return {name: head + body for name, body in cases.items()}


def write_edge_cases(workdir):
    for name, data in edge_cases().items():
        path = os.path.join(workdir, name + ".Dockerfile")
        with open(path, "wb") as f:
            f.write(data)
        yield path


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    total = agree = 0
    failures = []
    inputs = files(paths)
    if paths and paths[0] == "--random":
        import tempfile
        inputs = random_cases(int(paths[1]), int(paths[2]), tempfile.mkdtemp())
    elif paths and paths[0] == "--edges":
        import tempfile
        inputs = write_edge_cases(tempfile.mkdtemp())
    for path in inputs:
        total += 1
        want, err = oracle(path)
        proc = subprocess.run([binary, "parse", "--format", "json", path],
                              capture_output=True)
        if want is None:
            if proc.returncode == 0:
                failures.append(f"{path}: BuildKit rejects it ({err}) but dockopt reports no error")
            else:
                agree += 1
            continue
        try:
            got = json.loads(proc.stdout)["files"][0]["instructions"]
        except (ValueError, KeyError, IndexError):
            failures.append(f"{path}: dockopt printed no JSON: {proc.stderr.decode()[:200]}")
            continue
        # The wrapper passes strings through C, which ends them at NUL.
        for g in got:
            for k in ("original",):
                g[k] = g[k].split("\x00")[0]
            g["value"] = [v.split("\x00")[0] for v in g["value"]]
        if got == want:
            agree += 1
            continue
        if len(got) != len(want):
            failures.append(f"{path}: {len(got)} instructions, BuildKit has {len(want)}")
            continue
        for g, w in zip(got, want):
            if g != w:
                diff = {k: (g.get(k), w.get(k)) for k in w if g.get(k) != w.get(k)}
                failures.append(f"{path}:{w['start_line']}: differs (dockopt, buildkit): {diff}")
                break
    for f in failures:
        print(f)
    print(f"differential: {agree} passed, {total - agree} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
