"""The schema says how every operation refuses: ``Errors`` ({"errors": {field: [messages]}}) for
400, 401, 403, 404 and 429, so a client (and schemathesis) can rely on the shape."""

REFUSALS = {
    "400": "The request was wrong: each field's problem, in words.",
    "401": "No token, or one that is not valid (unknown, revoked, expired).",
    "403": "The token may not do this (its scopes, or its person's role or community).",
    "404": "No such thing.",
    "429": "Too many requests with this token: wait the Retry-After seconds.",
}

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "description": "Messages by field; \"detail\" for what is about no one field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
}


def add_refusals(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Errors"] = ERRORS
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in REFUSALS.items():
                if status == "400" and "requestBody" not in operation and not operation.get("parameters"):
                    continue
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
                })
    return result
