# syntax=docker/dockerfile:1.12
FROM python:3.12-slim AS build
ARG PIP_INDEX_PASSWORD
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --index-url "https://ci:${PIP_INDEX_PASSWORD}@pypi.example.com/simple" -r requirements.txt
RUN python -m compileall .

FROM python:3.12-slim
ARG GITHUB_TOKEN
RUN git clone "https://x-access-token:$GITHUB_TOKEN@github.com/acme/private.git" /src
CMD ["python", "/src/app.py"]
