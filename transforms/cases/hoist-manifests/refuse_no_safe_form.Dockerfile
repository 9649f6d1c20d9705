FROM rust:1.80
WORKDIR /rs
COPY rustapp/ .
RUN cargo build --release
WORKDIR /ex
COPY elixirapp/ .
RUN mix deps.get
