FROM node:20
WORKDIR /app
ARG NPM_TOKEN
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build
CMD ["node", "dist/server.js"]
