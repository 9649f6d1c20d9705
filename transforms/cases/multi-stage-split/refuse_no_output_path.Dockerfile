FROM golang:1.19
WORKDIR /src
COPY . .
RUN go build .
CMD ["./src"]
