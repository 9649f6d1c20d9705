FROM debian:12
CMD ["sh", "-c", "apt-get update && apt-get install -y curl && curl example.com"]
