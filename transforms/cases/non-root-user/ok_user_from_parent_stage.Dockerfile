FROM node:20 AS base
USER node
FROM base AS final
COPY . .
CMD ["node", "index.js"]
