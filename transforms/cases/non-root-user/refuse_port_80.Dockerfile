FROM python:3.12
COPY . /app
EXPOSE 80
CMD ["gunicorn", "--bind", "0.0.0.0:80", "app:app"]
