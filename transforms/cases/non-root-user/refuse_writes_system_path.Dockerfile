FROM ubuntu:24.04
CMD sed -i "s/x/y/" /etc/app.conf && exec app
