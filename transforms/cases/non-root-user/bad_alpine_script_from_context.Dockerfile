FROM alpine:3.20
WORKDIR /srv/app
COPY start.sh ./
ENTRYPOINT ["./start.sh"]
