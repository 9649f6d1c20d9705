FROM golang:1.23-trixie
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/clock .
CMD ["clock"]
