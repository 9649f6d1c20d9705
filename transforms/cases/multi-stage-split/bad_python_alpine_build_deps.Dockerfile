FROM python:3.12-alpine3.20
WORKDIR /app
COPY . .
RUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev \
    && pip install --no-cache-dir -r requirements.txt \
    && apk del .build-deps
RUN addgroup -S app && adduser -S -G app app
USER app
CMD ["python", "-m", "app"]
