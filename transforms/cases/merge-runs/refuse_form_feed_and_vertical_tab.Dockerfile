FROM debian:bookworm
# A form feed or vertical tab starts these continuation lines: BuildKit keeps
# them, sh reads each as a word, tree-sitter-bash as a blank. No shell fix is
# made, so a second run has nothing left to change.
RUN apt-get update && apt-get install -y unzip \
    && rm -rf /var/lib/apt/lists/*
RUN echo one \
    && echo two
RUN echo done
