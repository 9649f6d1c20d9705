FROM rust:1.82
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release && ./scripts/gen-assets.sh
CMD ["./target/release/greeter-rs"]
