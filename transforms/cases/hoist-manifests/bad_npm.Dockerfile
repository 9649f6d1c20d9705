FROM node:18
WORKDIR /usr/src/app
COPY --chown=node:node . .
RUN npm ci && npm run build
CMD ["node", "server.js"]
