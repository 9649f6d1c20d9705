FROM alpine:3.20
# dockopt: ignore[merge-runs]
RUN echo a
RUN echo b
# hadolint ignore=DL3059
RUN echo c
