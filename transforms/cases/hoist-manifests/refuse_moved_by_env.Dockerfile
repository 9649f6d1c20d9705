FROM composer:2
ENV COMPOSER=composer.prod.json
WORKDIR /app
COPY phpapp/ .
RUN composer install --no-dev
