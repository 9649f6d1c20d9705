FROM node:18
WORKDIR /web
COPY web/ /web
RUN npm install
