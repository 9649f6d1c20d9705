FROM debian:bookworm-slim
RUN apt-get update
# the tools we need
RUN apt-get install -y \
      make \
      gcc

RUN make --version
EXPOSE 80
RUN echo done
