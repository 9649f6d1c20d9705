FROM python:3.12-slim AS py
WORKDIR /app
COPY pyapp/ .
RUN pip install --upgrade pip && pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]

FROM python:3.12-slim AS poetry
WORKDIR /srv
COPY poetryapp/ .
RUN poetry config virtualenvs.create false && poetry install --no-interaction

FROM node:20 AS web
WORKDIR /web
COPY pnpmapp/ .
RUN corepack enable && pnpm install --frozen-lockfile && pnpm run build
