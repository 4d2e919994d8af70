"""Create the PostgreSQL database named in a URL if it is missing (for `make bench`)."""

import sys

import dj_database_url
import psycopg

config = dj_database_url.parse(sys.argv[1])
if not config["ENGINE"].endswith("postgresql"):
    sys.exit(f"{sys.argv[1]} is not a PostgreSQL database.")
with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"] or "postgres",
                     password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
        conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
        print(f"created database {config['NAME']}")
