FROM python:3.11
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt && printf 'exec python -m app\n' > run.sh
CMD ["bash", "run.sh"]
