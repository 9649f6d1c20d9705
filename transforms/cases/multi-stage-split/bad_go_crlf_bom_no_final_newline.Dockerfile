FROM golang:1.19
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .

EXPOSE 80

CMD ["/usr/local/bin/app"]