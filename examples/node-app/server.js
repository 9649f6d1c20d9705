const express = require("express");
const ms = require("ms");

const started = Date.now();
const app = express();
app.get("/", (req, res) => res.send(`up ${ms(Date.now() - started)}\n`));
app.listen(3000);
