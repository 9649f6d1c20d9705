FROM fedora:40
RUN dnf install -y --setopt=install_weak_deps=False python3 && dnf clean all
RUN yum install -y httpd && rm -rf /var/cache/yum
