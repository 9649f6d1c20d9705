FROM alpine:3.20
RUN apk update && apk add --virtual .build-deps gcc musl-dev && apk add curl
RUN apk add --no-cache jq
