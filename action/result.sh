#!/usr/bin/env bash
# The GitHub Action's last step: pass or fail from dockopt's exit code
# (STATUS) once everything else has run, so that the SARIF upload or the
# review happens first.
set -euo pipefail
case "${STATUS:-}" in
  0) echo "dockopt: nothing to report" ;;
  1)
    if [ "${FAIL_ON_FINDINGS:-true}" = true ]; then
      echo "::error::dockopt has findings (set fail-on-findings: false to pass anyway)"
      exit 1
    fi
    echo "dockopt has findings; fail-on-findings is off"
    ;;
  *)
    echo "::error::dockopt failed (exit ${STATUS:-unknown}); see the log above"
    exit 1
    ;;
esac
