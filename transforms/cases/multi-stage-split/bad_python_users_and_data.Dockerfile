FROM python:3.12
ARG UID=1001
RUN groupadd -g ${UID} app && useradd -u ${UID} -g app -m app \
    && mkdir -p /data && chown app:app /data && chmod 0750 /data
WORKDIR /app
COPY --chown=app:app . .
RUN pip install --no-cache-dir -r requirements.txt && chown -R app:app /app
USER app:app
CMD ["python", "-m", "app"]
