FROM ubuntu:24.04
RUN useradd --create-home worker
USER worker
RUN echo built > /home/worker/built
USER root
CMD ["cat", "/home/worker/built"]
