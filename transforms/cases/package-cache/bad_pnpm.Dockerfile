FROM node:20
RUN pnpm install --frozen-lockfile
