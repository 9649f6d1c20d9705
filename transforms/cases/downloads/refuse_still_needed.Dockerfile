FROM debian:bookworm-slim
RUN curl -fsSL -o /tmp/app.tgz https://example.com/app.tgz && tar xzf /tmp/app.tgz -C /opt
RUN sha256sum /tmp/app.tgz
RUN curl -fsSLO https://example.com/lib.tgz && cd /opt && tar xzf /lib.tgz
