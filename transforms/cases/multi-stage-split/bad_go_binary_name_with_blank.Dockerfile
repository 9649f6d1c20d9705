FROM golang:1.22-bookworm
WORKDIR /src
COPY . .
# A binary whose name has a blank: the runtime stage copies it in the JSON form.
RUN CGO_ENABLED=0 go build -o "/out/my api" ./cmd/api
ENTRYPOINT ["/out/my api"]
