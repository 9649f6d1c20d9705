FROM alpine:3.20
RUN echo one
ENV A=1
RUN echo two
FROM alpine:3.20
RUN echo three
