FROM alpine:3.20
RUN mkdir -p /opt/app && \
  chmod 0755 /opt/app
RUN echo one
