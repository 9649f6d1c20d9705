FROM alpine:3.20
RUN apk add --no-cache curl && \
  curl --version
RUN echo one
