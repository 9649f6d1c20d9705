FROM alpine:3.20
RUN mkdir -p /a
RUN test -d /a || true
RUN a; b;
