# syntax=docker/dockerfile:1.1
FROM python:3.12-slim
RUN pip install flask
