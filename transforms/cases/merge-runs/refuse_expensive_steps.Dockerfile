FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
RUN pip install --no-cache-dir torch==2.3.0
RUN pip install --no-cache-dir flask gunicorn requests
RUN curl -fsSLo /opt/model.bin https://example.com/model.bin
RUN chmod 0644 /opt/model.bin
