FROM gcc:12
WORKDIR /src
COPY . .
RUN gcc -O2 -o /usr/local/bin/fetch main.c -lcurl
CMD ["fetch"]
