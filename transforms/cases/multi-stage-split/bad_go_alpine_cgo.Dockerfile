FROM golang:1.22-alpine3.19
RUN apk add --no-cache build-base sqlite-dev
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /src/bin/api ./cmd/api
CMD ["/src/bin/api"]
