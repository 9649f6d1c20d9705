FROM golang:alpine
WORKDIR /src
COPY . .
RUN go build -o /src/api .
CMD ["/src/api"]
