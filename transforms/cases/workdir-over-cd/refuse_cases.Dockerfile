FROM alpine:3.20
RUN mkdir -p $HOME/x && cd $HOME/x && make
USER app
RUN mkdir -p /opt/app && cd /opt/app && make
