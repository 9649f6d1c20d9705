FROM gcc:13
WORKDIR /src
COPY . .
RUN g++ -O2 -o server main.cpp
CMD ["./server"]
