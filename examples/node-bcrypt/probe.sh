cd /usr/src/app && node server.js
node -e 'console.log(require("bcrypt/package.json").version)'
ls /usr/src/app | sort
id -un
stat -c '%U %a' /var/lib/audit
