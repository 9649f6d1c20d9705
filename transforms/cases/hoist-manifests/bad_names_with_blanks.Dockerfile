FROM mcr.microsoft.com/dotnet/sdk:8.0
WORKDIR /src
# Names with blanks: the hoisted COPY is written in the JSON form.
COPY ["my dotnet/", "."]
RUN dotnet restore
