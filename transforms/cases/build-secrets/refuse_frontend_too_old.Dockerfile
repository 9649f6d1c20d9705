# syntax=docker/dockerfile:1.4
FROM node:20
ARG NPM_TOKEN
RUN npm ci
