FROM debian:bookworm-slim
SHELL ["/bin/sh", "-ec"]
RUN cd /tmp; make
RUN make install; make clean
