FROM debian:bookworm-slim
RUN --network=none apt-get install -y --no-install-recommends ./local.deb
RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends git
RUN false || apt-get install -y --no-install-recommends vim
