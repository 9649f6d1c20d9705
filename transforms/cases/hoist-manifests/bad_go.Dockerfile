FROM golang:1.19
WORKDIR /src
COPY goapp/ ./
RUN go mod download && go build -o /out/app .
