FROM rust:1.76 AS tools
WORKDIR /src
COPY . .
RUN cargo install --path .

FROM node:20
COPY --from=tools /usr/local/cargo/bin/app /usr/local/bin/transformer
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
CMD ["node", "server.js"]
