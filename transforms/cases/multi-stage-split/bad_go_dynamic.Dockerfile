FROM golang:1.19
WORKDIR /src
ENV GOFLAGS=-mod=mod APP_ENV=production
COPY . .
RUN go build -o /usr/local/bin/greeter .
EXPOSE 8080
CMD ["/usr/local/bin/greeter"]
