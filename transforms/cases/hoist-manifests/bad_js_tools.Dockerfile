FROM node:20
WORKDIR /y
COPY yarnapp/ .
RUN yarn install --immutable
WORKDIR /p
COPY pnpmapp/ .
RUN pnpm install --frozen-lockfile
