FROM node:20
WORKDIR /app
COPY . .
RUN npm ci
USER www-data
CMD ["node", "server.js"]
