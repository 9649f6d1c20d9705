FROM node:20-alpine
WORKDIR /usr/src/app
COPY package.json package-lock.json ./
RUN apk add --no-cache --virtual .gyp python3 make g++ \
    && npm ci \
    && apk del .gyp
COPY . .
CMD ["node", "server.js"]
