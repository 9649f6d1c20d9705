FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
RUN rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt
RUN rm /tmp/tool.tgz
RUN useradd --create-home app
RUN mkdir -p /data
RUN chown app /data
# hadolint ignore=DL3059
RUN echo kept apart
