FROM python:3.12-slim
WORKDIR /app
COPY .npmrc ./
COPY . .
CMD ["python", "app.py"]
