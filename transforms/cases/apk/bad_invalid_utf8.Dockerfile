FROM alpine:3.20
# café in Latin-1: the edit after it must land where it would on UTF-8.
RUN echo café && apk add curl
