FROM node:20
ENV npm_config_cache=/tmp/npm-cache PNPM_HOME=/pnpm
WORKDIR /app
COPY package.json ./
RUN --mount=type=cache,target=/tmp/npm-cache npm install
RUN --mount=type=cache,target=/pnpm/store pnpm install
