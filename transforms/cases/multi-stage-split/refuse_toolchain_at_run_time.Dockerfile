FROM golang:1.19
WORKDIR /src
COPY . .
CMD ["go", "run", "."]
