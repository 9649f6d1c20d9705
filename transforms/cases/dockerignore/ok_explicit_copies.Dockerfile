FROM node:20
WORKDIR /app
COPY src/ ./src/
COPY package.json ./
