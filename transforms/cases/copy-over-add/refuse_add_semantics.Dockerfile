FROM python:3.12-slim
# Unpacked by ADD, whatever the file is called.
ADD vendor/lib.tar.gz /opt/
ADD vendor/plain.bin /opt/
# Not checkable.
ADD app/*.py /app/
ADD --checksum=sha256:0123 requirements.txt /app/
ADD install-tool /usr/local/bin/
