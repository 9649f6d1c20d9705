FROM python:3.11
RUN apt-get update && apt-get install -y --no-install-recommends libfrobnicate-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "app"]
