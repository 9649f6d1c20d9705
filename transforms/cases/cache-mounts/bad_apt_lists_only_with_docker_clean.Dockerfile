FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
FROM debian:bookworm-slim AS keep
RUN rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y --no-install-recommends jq
