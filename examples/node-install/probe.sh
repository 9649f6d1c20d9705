node -e 'const { validate, v4 } = require("uuid"); console.log(validate(v4()), typeof require("express"))'
ls /app | sort
ls /app/node_modules | wc -l
cat /app/server.js
