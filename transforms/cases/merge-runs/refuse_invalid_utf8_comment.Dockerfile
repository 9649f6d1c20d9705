FROM alpine:3.20
RUN echo a
# café: a merge would move this comment, bytes the writer cannot copy
RUN echo b
