FROM rust:1.82
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release
EXPOSE 3000
CMD ["./target/release/greeter-rs"]
