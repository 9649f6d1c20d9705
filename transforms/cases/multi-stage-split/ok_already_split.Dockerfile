FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM debian:bookworm-slim
COPY --from=build /out/app /usr/local/bin/app
CMD ["/usr/local/bin/app"]
