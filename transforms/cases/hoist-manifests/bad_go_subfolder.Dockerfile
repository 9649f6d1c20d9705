FROM golang:1.22
WORKDIR /src
COPY gosub/ .
RUN cd api && go mod download && go build -o /out/api .
WORKDIR /src2
COPY gosub/ .
RUN go -C api mod download && go -C api build -o /out/api2 .
