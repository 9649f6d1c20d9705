const express = require("express");
const { v4: uuid } = require("uuid");

// Hands out request ids and remembers the last few.
const recent = [];
const app = express();
app.get("/id", (req, res) => {
  const id = uuid();
  recent.unshift(id);
  recent.length = Math.min(recent.length, 10);
  res.json({ id });
});
app.get("/recent", (req, res) => res.json(recent));
app.listen(process.env.PORT || 8080);
