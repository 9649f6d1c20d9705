FROM golang:1.19
RUN useradd -m app
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/svc .
USER app
CMD ["/usr/local/bin/svc"]
