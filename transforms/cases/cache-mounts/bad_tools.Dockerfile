FROM python:3.12
RUN apt-get update && apt-get install -y gcc \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
RUN npm ci && npm cache clean --force
RUN go build -o /app ./cmd/app
RUN --mount=type=cache,target=/root/.npm npm install && npm cache clean --force
