// Hashes and checks passwords with bcrypt's native addon; keeps its audit
// log in a data folder the node user owns.
const fs = require("fs");
const bcrypt = require("bcrypt");

const salt = "$2b$10$abcdefghijklmnopqrstuu";
const hash = bcrypt.hashSync("hunter2", salt);
console.log(hash, bcrypt.compareSync("hunter2", hash));
fs.appendFileSync("/var/lib/audit/log", "checked\n");
console.log("audit", fs.statSync("/var/lib/audit").isDirectory());
