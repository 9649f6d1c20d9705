FROM debian:bookworm-slim
SHELL ["/bin/bash", "-lc"]
RUN echo 'export PATH=/opt/tool/bin:$PATH' >> /root/.bashrc
RUN tool --version
