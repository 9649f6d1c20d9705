#!/usr/bin/env bash
# `check` mode of the GitHub Action: findings as workflow annotations in the
# log, and as a SARIF file for code scanning.
# Reads INPUT_PATHS and INPUT_ARGS (split on white space, no globbing) and
# SARIF_FILE; writes the outputs status (dockopt's exit code), findings and
# sarif-file (empty when dockopt wrote no SARIF) to $GITHUB_OUTPUT.
set -uo pipefail
sarif="${SARIF_FILE:-dockopt.sarif}"
set -f
# shellcheck disable=SC2206 # split on white space on purpose
paths=(${INPUT_PATHS:-.})
# shellcheck disable=SC2206
args=(${INPUT_ARGS:-})
set +f
out="${GITHUB_OUTPUT:-/dev/stdout}"

# Annotations on the changed files, even where code scanning is not enabled.
dockopt check --format github "${args[@]}" "${paths[@]}"

status=0
dockopt check --format sarif "${args[@]}" "${paths[@]}" > "$sarif" || status=$?
findings="$(python3 - "$sarif" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        print(sum(len(run.get("results", [])) for run in json.load(f)["runs"]))
except (OSError, ValueError, KeyError, TypeError):
    print("")
PY
)"
if [ -z "$findings" ]; then
  echo "::error::dockopt check wrote no SARIF (exit $status)"
  echo "sarif-file=" >> "$out"
else
  echo "dockopt check: $findings finding(s), exit $status; SARIF in $sarif"
  echo "sarif-file=$sarif" >> "$out"
fi
echo "findings=${findings:-0}" >> "$out"
echo "status=$status" >> "$out"
