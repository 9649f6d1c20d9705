ARG PY=3.12
ARG BASE
FROM python:${PY}-slim AS base
FROM base AS test
FROM $BASE
COPY --from=0 /a /a
FROM scratch
COPY --from=test /b /b
FROM debian@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
