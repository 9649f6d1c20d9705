import configparser
import os

from flask import Flask
from itsdangerous import URLSafeSerializer

config = configparser.ConfigParser()
config.read(os.path.join(os.path.dirname(__file__), "..", "config.ini"))
signer = URLSafeSerializer(config["app"]["secret"])
app = Flask(__name__)


@app.get("/<path:path>")
def sign(path):
    return signer.dumps({"path": path})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
