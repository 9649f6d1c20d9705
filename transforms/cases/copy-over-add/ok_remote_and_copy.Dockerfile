FROM alpine:3.20
ADD https://example.com/tool.tar.gz /opt/
ADD git@github.com:moby/buildkit.git /src
COPY requirements.txt /app/
