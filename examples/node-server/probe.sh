cd /usr/src/app && node -e 'require("./node_modules/ms"); console.log("ms ok")'
node -e 'const s=require("fs").readFileSync("/usr/src/app/dist/server.js","utf8"); console.log(s.includes("createServer"))'
ls /usr/src/app | sort
ls /usr/src/app/dist
