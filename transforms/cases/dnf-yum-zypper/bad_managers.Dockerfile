FROM fedora:40
RUN dnf install python3
RUN yum -y install httpd
RUN microdnf install nginx
RUN zypper install vim
