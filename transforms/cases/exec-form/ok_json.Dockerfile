FROM alpine:3.20
ENTRYPOINT ["/bin/app"]
CMD ["serve", "--port", "80"]
ONBUILD RUN echo hi
