FROM python:3.11
WORKDIR /srv/app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
COPY ./scripts /assets
COPY src/ /etc/app/
COPY --chmod=0755 scripts/start.sh /usr/local/bin/start
RUN mkdir -p /var/lib/app/uploads && echo "ready" > /var/lib/app/state
CMD ["python", "-m", "app"]
