"""What the API tests share: a token for a person, and calls with it (None: no token at all)."""

from coproduce.api import tokens

ALL = ("read", "exchanges", "posts", "partner")


def token(user, scopes=ALL, *, two_factor_done=False) -> str:
    return tokens.create_token(user, name="app", scopes=list(scopes), days=7, two_factor_done=two_factor_done)[1]


def _headers(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}


def get(client, raw, url, **params):
    return client.get(url, params, **_headers(raw))


def send(client, raw, url, **body):
    return client.post(url, body, content_type="application/json", **_headers(raw))


def errors(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()["errors"]


def queries_for(client, call) -> int:
    """How many SQL queries one call costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = call()
        assert response.status_code == 200, response.content
    return len(queries)
