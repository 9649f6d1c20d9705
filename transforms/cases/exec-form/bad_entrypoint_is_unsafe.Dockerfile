FROM alpine:3.20
ENTRYPOINT /usr/local/bin/app serve
CMD start
