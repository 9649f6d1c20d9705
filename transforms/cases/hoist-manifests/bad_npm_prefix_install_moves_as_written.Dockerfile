FROM node:20
WORKDIR /app
COPY npmsub/ .
RUN npm install --prefix client && npm run --prefix client build
