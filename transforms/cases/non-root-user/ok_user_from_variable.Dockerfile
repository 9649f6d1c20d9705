FROM debian:12
ARG RUN_AS=1000
USER ${RUN_AS}
CMD ["sleep", "infinity"]
