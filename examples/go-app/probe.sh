ls -l /usr/local/bin/greeter | cut -c1-10
find /src -type f | sort
go version
