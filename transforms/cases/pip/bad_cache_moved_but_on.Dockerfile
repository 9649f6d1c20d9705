FROM python:3.12-slim
ENV PIP_CACHE_DIR=/tmp/pip-cache
RUN --mount=type=cache,target=/root/.cache/pip pip install flask
RUN --mount=type=cache,target=/tmp/pip-cache pip install gunicorn
