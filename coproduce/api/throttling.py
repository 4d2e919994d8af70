"""Rate limits per token (and per address for the open schema), counted in the shared cache, so
every worker sees the same count."""

from rest_framework.throttling import SimpleRateThrottle


class PerToken(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            return self.cache_format % {"scope": "anonymous", "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
