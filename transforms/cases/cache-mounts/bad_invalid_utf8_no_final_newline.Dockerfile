FROM python:3.12-slim
RUN echo café && pip install --no-cache-dir flask