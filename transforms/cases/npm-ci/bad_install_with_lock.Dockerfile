FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
COPY sub/ ./sub/
RUN cd sub && npm i --omit=dev
COPY . .
CMD ["node", "server.js"]
