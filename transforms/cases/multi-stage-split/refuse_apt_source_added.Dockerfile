FROM node:20
RUN curl -fsSL https://example.com/key.gpg -o /etc/apt/keyrings/vendor.gpg \
    && echo "deb [signed-by=/etc/apt/keyrings/vendor.gpg] https://example.com/apt stable main" > /etc/apt/sources.list.d/vendor.list \
    && apt-get update && apt-get install -y vendor-cli
WORKDIR /app
COPY . .
RUN npm ci
CMD ["node", "server.js"]
