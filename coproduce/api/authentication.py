"""The API's one way in: ``Authorization: Bearer cpat_...`` (no session cookies, so no CSRF)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from coproduce.api import tokens


class BearerToken(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        kind, _sep, text = header.partition(" ")
        if kind.lower() != "bearer":
            return None
        try:
            token = tokens.token_for(text)
        except tokens.Refused as refused:
            raise AuthenticationFailed(str(refused)) from None
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "coproduce.api.authentication.BearerToken"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token (cpat_...) "
                "made on the account page."}
