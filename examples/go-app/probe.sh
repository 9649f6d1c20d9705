ls -l /usr/local/bin/greeter | cut -c1-10
find /src -type f | sort
test -s /etc/ssl/certs/ca-certificates.crt && echo "ca bundle present"
