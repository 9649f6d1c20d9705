# escape=`
FROM debian:bookworm-slim
RUN echo a
RUN echo b
