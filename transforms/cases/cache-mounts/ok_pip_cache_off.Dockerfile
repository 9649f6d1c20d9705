FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1
RUN pip install flask
RUN --mount=type=tmpfs,target=/root/.npm npm install -g pnpm
