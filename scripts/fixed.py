"""Helpers for the scripts that check what `dockopt fix` writes."""
import subprocess
import sys


def fix_unsafe(binary, path, context, *args):
    """What `dockopt fix --unsafe` writes for the file at `path`, read with
    `context` as its build context. Raises RuntimeError when dockopt fails."""
    with open(path, "rb") as f:
        proc = subprocess.run(
            [binary, "fix", "--unsafe", "--no-config", *args, "--context", context, "-"],
            stdin=f,
            capture_output=True,
        )
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr.decode(errors="replace"))
    return proc.stdout.decode("utf-8", errors="replace")


def report(summary, failures):
    """Print the failures and a summary line; exit 1 when there are any."""
    for f in failures:
        print(f)
    print(f"{summary}, {len(failures)} failures")
    sys.exit(1 if failures else 0)
