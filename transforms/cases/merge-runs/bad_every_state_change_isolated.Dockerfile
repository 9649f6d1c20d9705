FROM debian:bookworm-slim
RUN return 0 2>/dev/null || true
RUN exec true
RUN unset HOME
RUN shopt -s nullglob
RUN umask 077
RUN trap 'echo bye' EXIT
RUN . /etc/os-release
RUN source /etc/profile
RUN greet() { echo hi; }
RUN echo last
