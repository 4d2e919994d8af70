#!/usr/bin/env python3
"""Log an exchange through Coproduce's API, knowing nothing but the published OpenAPI schema.

    python scripts/log_exchange.py --site https://timebank.example --token cpat_... \\
        --community riverside --other 12 --minutes 90 --direction received --description "A lift"

It reads /api/v1/schema/, finds the operation by its operationId, takes its path, method,
authentication and request shape from the schema (the fields it requires, the choices it
allows), checks the arguments against them, sends the request and prints the answer. The
standard library only, so it runs anywhere Python does.
"""

import argparse
import datetime
import json
import sys
import urllib.error
import urllib.request
import uuid

OPERATION = "v1_communities_exchanges_create"


def fetch(url: str, *, token: str | None = None, body: dict | None = None, method: str = "GET") -> tuple[int, dict]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"{}")


def find_operation(schema: dict, operation_id: str) -> tuple[str, str, dict]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return path, method, operation
    raise SystemExit(f"The schema has no operation {operation_id!r}.")


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema["components"]["schemas"][name]
    return node


def request_shape(schema: dict, operation: dict) -> dict:
    content = operation["requestBody"]["content"]["application/json"]["schema"]
    return resolve(schema, content)


def build_body(schema: dict, shape: dict, given: dict) -> dict:
    """The request body from ``given``, checked against the schema's own shape."""
    properties = shape["properties"]
    unknown = sorted(set(given) - set(properties))
    if unknown:
        raise SystemExit(f"The schema does not take {', '.join(unknown)}.")
    missing = sorted(set(shape.get("required", [])) - set(given))
    if missing:
        raise SystemExit(f"The schema requires {', '.join(missing)}.")
    for name, value in given.items():
        field = resolve(schema, properties[name])
        if "enum" in field and value not in field["enum"]:
            raise SystemExit(f"{name} must be one of {', '.join(map(str, field['enum']))}.")
    return given


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, help="the installation's address")
    parser.add_argument("--token", required=True, help="a personal access token with the exchanges scope")
    parser.add_argument("--community", required=True, help="the community's short name")
    parser.add_argument("--other", type=int, required=True, help="the other member's number")
    parser.add_argument("--minutes", type=int, required=True)
    parser.add_argument("--direction", default="received", help="received (they helped you) or gave")
    parser.add_argument("--date", default=datetime.datetime.now().astimezone().date().isoformat(),
                        help="the day it happened, YYYY-MM-DD (default: today here)")
    parser.add_argument("--description", default="")
    args = parser.parse_args(argv)
    site = args.site.rstrip("/")

    status, schema = fetch(f"{site}/api/v1/schema/?format=json")
    if status != 200:
        raise SystemExit(f"No schema at {site}/api/v1/schema/ ({status}).")
    path, method, operation = find_operation(schema, OPERATION)
    schemes = schema.get("components", {}).get("securitySchemes", {})
    if not any(scheme.get("scheme") == "bearer" for scheme in schemes.values()):
        raise SystemExit("The schema names no bearer token scheme.")
    body = build_body(schema, request_shape(schema, operation), {
        "direction": args.direction, "other_member": args.other, "minutes": args.minutes,
        "performed_on": args.date, "description": args.description, "idempotency_key": uuid.uuid4().hex})
    status, answer = fetch(site + path.replace("{slug}", args.community), token=args.token, body=body,
                           method=method.upper())
    print(json.dumps({"http_status": status, "answer": answer}))
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
