FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends curl
FROM base AS app
RUN apt-get install -y --no-install-recommends jq || true
