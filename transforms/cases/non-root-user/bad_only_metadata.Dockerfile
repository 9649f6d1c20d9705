FROM node:20-alpine
CMD ["node", "-e", "console.log(1)"]
