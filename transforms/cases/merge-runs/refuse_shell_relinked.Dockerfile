FROM debian:bookworm-slim
RUN ln -sf /bin/bash /bin/sh
RUN echo $((1 + 1)) > /two && [[ -s /two ]]
