FROM gcc:12
WORKDIR /src
COPY . .
RUN make && make install
CMD ["/usr/local/bin/hello"]
