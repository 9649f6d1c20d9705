FROM nginx:1.27
cmd exec nginx -g daemon-off
