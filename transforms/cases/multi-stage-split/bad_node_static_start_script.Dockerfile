# syntax=docker/dockerfile:1.7
FROM node:20-bookworm
WORKDIR /app
COPY . .
RUN npm ci && npm run build
ENV NODE_ENV=production
EXPOSE 8080
CMD ["npm", "start"]
