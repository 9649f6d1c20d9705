FROM alpine:3.20
RUN make
RUN make test || true
RUN a; b;
