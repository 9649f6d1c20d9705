node -e 'console.log(require("ms")(60000), typeof require("express"))'
ls /usr/src/app | sort
ls /usr/src/app/node_modules | wc -l
cat /usr/src/app/server.js
