FROM python:3.12-slim
VOLUME /data
RUN pip install --no-cache-dir flask
CMD ["flask", "run"]
