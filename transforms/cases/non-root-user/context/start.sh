#!/bin/sh
mkdir -p /tmp/cache
exec ./server --listen :8080
