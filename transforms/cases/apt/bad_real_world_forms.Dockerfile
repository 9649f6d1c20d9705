FROM ubuntu:22.04
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Options::=--force-confnew install \
      # HTTP client
      curl \
      # JSON
      jq
RUN sudo apt update && sudo apt install -y git
