FROM debian:bookworm-slim
RUN curl -fsSL -o /tmp/node.tar.xz https://example.com/node.tar.xz
RUN tar -xJf /tmp/node.tar.xz -C /usr/local
RUN wget https://example.com/tool.zip && unzip tool.zip -d /opt
