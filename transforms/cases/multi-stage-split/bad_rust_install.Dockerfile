FROM rust:1.82-bookworm
WORKDIR /usr/src/app
COPY . .
RUN cargo install --path .
CMD ["greeter-rs"]
