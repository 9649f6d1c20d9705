"""Reports what the service would connect with: psycopg2 built from source
against libpq, its configuration, and its static assets."""
import configparser
import os
import pathlib

import psycopg2
import psycopg2.extensions

config = configparser.ConfigParser()
config.read(os.environ["APP_CONFIG"])
print("psycopg2", psycopg2.__version__.split()[0])
print("libpq", psycopg2.extensions.libpq_version())
print("dsn", psycopg2.extensions.make_dsn(**config["database"]))
for asset in sorted(pathlib.Path("/assets").iterdir()):
    print("asset", asset.name, len(asset.read_bytes()))
