FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm ci --prefer-offline --omit=dev
CMD ["node", "dist/server.js"]
