FROM alpine:3.20
RUN mkdir -p /src && cd /src && wget -q https://example.com/app.tgz
WORKDIR /app
RUN mkdir -p /data && cd /data && touch marker
CMD ["sh"]
