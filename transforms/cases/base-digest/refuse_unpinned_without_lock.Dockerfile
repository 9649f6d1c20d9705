FROM node:20
# dockopt: ignore[base-digest]
FROM debian:12
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
