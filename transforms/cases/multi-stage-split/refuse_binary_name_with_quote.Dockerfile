FROM golang:1.22-bookworm
WORKDIR /src
COPY . .
# A quote in the name: a COPY would read it as quoting. Left as it is.
RUN CGO_ENABLED=0 go build -o "/out/it's" ./cmd/api
ENTRYPOINT ["/out/it's"]
