FROM golang:1.22-alpine
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
EXPOSE 8080
CMD ["api"]
