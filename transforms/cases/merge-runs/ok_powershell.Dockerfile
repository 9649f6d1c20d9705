FROM alpine:3.20
SHELL ["pwsh", "-Command"]
RUN Write-Host one
RUN Write-Host two
