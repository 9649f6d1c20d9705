FROM debian:bookworm-slim
WORKDIR /srv
COPY src/ ./src/
RUN useradd app && apt-get update && apt-get install -y curl