FROM python:3.11
RUN groupadd -r app && useradd -r -g app -m app
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER app
CMD ["python", "-m", "app"]
