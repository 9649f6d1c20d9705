import http from "http";
import ms from "ms";

const started = Date.now();
http
  .createServer((_req, res) => {
    res.end(`up ${ms(Date.now() - started)}\n`);
  })
  .listen(3000);
