FROM python:3.12-slim
RUN pip install flask \
# the web server
    gunicorn
RUN apt-get update && apt-get install -y --no-install-recommends curl \
# no lists in the layer
    && rm -rf /var/lib/apt/lists/*
