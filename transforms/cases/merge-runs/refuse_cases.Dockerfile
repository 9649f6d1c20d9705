FROM alpine:3.20
RUN --mount=type=cache,target=/root/.cache pip install x
RUN pip install y
RUN ["echo", "exec form"]
RUN echo shell form
RUN sleep 100 &
RUN echo bg
RUN make # build it
RUN echo commented
RUN <<EOF
echo heredoc
EOF
RUN echo after heredoc
RUN if then fi (
RUN echo after broken
RUN set -eux; apt-get update; apt-get install -y curl
RUN set -eux; make
RUN echo plain
