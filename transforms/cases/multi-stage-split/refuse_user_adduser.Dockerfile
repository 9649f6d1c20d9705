FROM python:3.11
RUN adduser --disabled-password --gecos "" app
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
USER app
CMD ["python", "-m", "app"]
