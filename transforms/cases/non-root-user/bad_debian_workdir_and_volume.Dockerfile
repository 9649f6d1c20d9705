FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt

# The data lives outside the image.
VOLUME /data
EXPOSE 8000
CMD python -m app
