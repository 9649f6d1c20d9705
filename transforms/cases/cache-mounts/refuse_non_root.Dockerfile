# syntax=docker/dockerfile:1
FROM python:3.12
USER app
RUN pip install --no-cache-dir flask
