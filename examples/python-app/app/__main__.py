import configparser
import http.server
import os

from itsdangerous import URLSafeSerializer

config = configparser.ConfigParser()
config.read(os.path.join(os.path.dirname(__file__), "..", "config.ini"))
signer = URLSafeSerializer(config["app"]["secret"])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = signer.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    http.server.HTTPServer(("", 8000), Handler).serve_forever()
