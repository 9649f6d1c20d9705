FROM alpine:3.20
# Each of these needs the shell.
CMD node server.js --port=$PORT
CMD ./start.sh && tail -f /dev/null
CMD echo "hello world"
CMD cd /app
CMD FOO=1 ./run
CMD ./run > /var/log/app.log
CMD ls ~/data
CMD ./run \
  # a comment line inside
  --flag
