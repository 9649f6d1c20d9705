FROM python:3.12-slim
RUN pip install --no-cache-dir flask
RUN PIP_NO_CACHE_DIR=1 pip install requests
RUN --mount=type=cache,target=/root/.cache/pip pip install numpy
ENV PIP_NO_CACHE_DIR=off
RUN pip install pandas
