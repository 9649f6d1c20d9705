from debian:12-slim
workdir /opt/app/data
cmd ["/opt/app/bin/run"]