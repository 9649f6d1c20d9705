FROM debian:bookworm-slim
# A name with a blank: the cleanup must quote it, or rm deletes "a" and "b.tgz".
RUN curl -fsSL -o "a b.tgz" https://example.com/a.tgz && tar -xzf "a b.tgz" -C /opt
# Quotes and a dollar sign in a single-quoted name.
RUN wget -O 'it'"'"'s $x.zip' https://example.com/x.zip && unzip 'it'"'"'s $x.zip' -d /opt
