FROM node:20
WORKDIR /app
COPY . .
RUN npm ci && npm run build
RUN npm install -g pm2@5
CMD ["pm2", "--no-daemon", "start", "server.js"]
