FROM node:20
WORKDIR /app
COPY . .
RUN npm ci
USER appuser
CMD ["node", "server.js"]
