FROM node:20-slim
WORKDIR /app
COPY . .
CMD node server.js --port=8080
