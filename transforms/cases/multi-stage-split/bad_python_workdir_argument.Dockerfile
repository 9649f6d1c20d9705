FROM python:3.11
ARG APP_HOME=/srv/service
WORKDIR $APP_HOME
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "app"]
