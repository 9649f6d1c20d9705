FROM ruby:3.3
WORKDIR /rb
COPY rubyapp/ .
RUN bundle install
WORKDIR /php
COPY phpapp/ .
RUN composer install --no-dev
WORKDIR /dn
COPY dotnetapp/ .
RUN dotnet publish -c Release -o /out
WORKDIR /dn2
COPY dotnetapp/ .
RUN dotnet publish "app.csproj" -c Release --self-contained false -o /out2
