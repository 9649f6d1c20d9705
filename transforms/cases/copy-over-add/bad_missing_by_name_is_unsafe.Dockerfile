FROM python:3.12-slim
ADD settings.yml /app/
ADD keys/release.asc /etc/keys/
# Left out by .dockerignore: the build fails either way.
ADD secret.env /app/
ADD missing.txt /app/
