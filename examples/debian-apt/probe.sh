command -v curl jq
jq --version
ls -l /usr/local/bin/healthcheck.sh | cut -c1-10
cat /usr/local/bin/healthcheck.sh
