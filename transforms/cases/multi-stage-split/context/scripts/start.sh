#!/bin/sh
set -e
export APP_MODE="${APP_MODE:-web}"
exec python -m app "$@"
