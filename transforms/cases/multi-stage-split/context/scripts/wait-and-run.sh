#!/bin/sh
set -e
until curl -fs "http://$DB_HOST:5432/"; do sleep 1; done
exec python -m app
