FROM node:20
WORKDIR /a
COPY npmsub/ .
RUN cd client && npm ci && npm run build
WORKDIR /b
COPY npmsub/ .
RUN npm --prefix client ci
WORKDIR /c
COPY npmsub/ .
RUN npm ci --prefix=client && npm cache clean --force
WORKDIR /d
COPY npmsub/ .
RUN cd server && npm install
