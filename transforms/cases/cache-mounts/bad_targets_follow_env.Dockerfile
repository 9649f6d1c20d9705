FROM node:20
ENV PNPM_HOME=/pnpm npm_config_cache=/tmp/npm
RUN npm install -g pnpm && npm cache clean --force
WORKDIR /app
COPY package.json pnpm-lock.yaml ./
RUN pnpm install --frozen-lockfile
