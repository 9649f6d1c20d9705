FROM node:20-slim
WORKDIR /app
RUN npm install -g pnpm
COPY nolock/package.json ./nolock/
RUN cd nolock && npm install
COPY package.json package-lock.json ./
RUN npm install express
RUN npm install --no-package-lock
RUN npm ci
