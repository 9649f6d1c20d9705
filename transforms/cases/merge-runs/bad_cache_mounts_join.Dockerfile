FROM debian:bookworm-slim
RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update
RUN apt-get install -y --no-install-recommends curl
RUN --mount=type=secret,id=token cat /run/secrets/token > /dev/null
RUN echo after-secret
