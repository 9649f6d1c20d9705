FROM rust:1.82
WORKDIR /usr/src/app
COPY . .
RUN cargo build
CMD ["./target/debug/greeter-rs"]
