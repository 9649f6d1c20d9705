FROM golang:1.22-bookworm AS compile
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o bin/api ./cmd/api
USER root
ENTRYPOINT ["/src/bin/api"]
CMD ["--port", "8080"]
