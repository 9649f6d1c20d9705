FROM node:20
WORKDIR /srv
COPY . .
RUN npm ci && npm run build && npm ci --omit=dev
CMD ["node", "dist/index.js"]
