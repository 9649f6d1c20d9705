FROM node:20
RUN npm ci && npm cache clean --force
RUN --mount=type=cache,target=/root/.npm npm install
RUN gem install --no-document rails
