FROM alpine:3.20
RUN cd /tmp && touch x
RUN pwd > /where
RUN export A=1
RUN set -e; echo $A
RUN exit 0
RUN echo after-exit
