FROM debian:bookworm-slim
RUN mkdir -p /opt/app
# hadolint ignore=DL3008
RUN echo unpinned
