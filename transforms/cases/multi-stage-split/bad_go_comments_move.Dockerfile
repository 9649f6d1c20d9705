FROM golang:1.19
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .

# The service listens here.
EXPOSE 8080

# run it
# with no arguments
CMD ["/usr/local/bin/app"]
