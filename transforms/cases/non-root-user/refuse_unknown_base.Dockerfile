FROM registry.example.com/platform/base:3
CMD ["/usr/local/bin/app"]
