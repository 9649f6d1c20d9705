node -e 'console.log(require("ms")(60000))'
ls /usr/src/app | sort
ls /usr/src/app/node_modules | sort
