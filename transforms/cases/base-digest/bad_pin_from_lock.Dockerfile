# syntax=docker/dockerfile:1
# FROM python:3.12-slim in a comment stays as it is
ARG BASE=python:3.12-slim
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN --mount=type=bind,from=alpine,target=/a \
    --mount=type=cache,target=/root/.cache go build -o /out/app .

FROM ${BASE}
COPY --from=build /out/app /usr/local/bin/app
COPY --from=ghcr.io/acme/tools:v2 /bin/tool /usr/local/bin/tool
CMD ["app"]
