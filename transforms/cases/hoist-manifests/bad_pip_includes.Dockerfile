FROM python:3.11-slim
WORKDIR /srv
COPY pyapp .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
