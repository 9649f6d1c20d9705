FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
