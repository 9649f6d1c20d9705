FROM node:20
RUN npm ci
RUN yarn install --frozen-lockfile
RUN gem install bundler
RUN composer install --no-dev
