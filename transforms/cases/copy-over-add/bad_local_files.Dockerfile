FROM python:3.12-slim
WORKDIR /app
ADD requirements.txt .
add --chown=app:app app /app/app
ADD ["app/main.py", "/app/main.py"]
