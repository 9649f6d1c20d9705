ls -l /usr/local/bin/inventory | cut -c1-10
find /src -type f | sort
test -s /etc/ssl/certs/ca-certificates.crt && echo "ca bundle present"
