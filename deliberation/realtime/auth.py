"""Websocket guard: origin check and authentication before any consumer runs.

* A browser sends an `Origin`; it must be one of ours (ALLOWED_HOSTS, or
  WEBSOCKET_ALLOWED_ORIGINS when set) — otherwise the handshake is refused (403).
* The member is taken from `?token=<api token>` or from the session cookie.
* A connection without `Origin` (a non-browser client) must authenticate by token:
  cookies are only trusted together with an origin we know.
Consumers then check membership of the thread/unit in `connect`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port
from django.utils.http import is_same_domain


@database_sync_to_async
def member_for_token(key: str):
    from rest_framework.authtoken.models import Token

    try:
        token = Token.objects.select_related("user").get(key=key)
    except (Token.DoesNotExist, ValueError):
        return None
    return token.user if token.user.is_active else None


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def origin_allowed(origin: str) -> bool:
    explicit = getattr(settings, "WEBSOCKET_ALLOWED_ORIGINS", None)
    if explicit:
        return origin.rstrip("/") in {o.rstrip("/") for o in explicit}
    parsed = urlparse(origin)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        return False
    host, _port = split_domain_port(parsed.netloc)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return any(pattern == "*" or is_same_domain(host, pattern) for pattern in allowed)


class _TokenAuth:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        token = (query.get("token") or [None])[-1]
        origin = _header(scope, b"origin")
        if token:
            user = await member_for_token(token)
            scope["user"] = user or AnonymousUser()
            scope["auth_method"] = "token" if user else None
        elif origin is None:
            scope["user"] = AnonymousUser()  # cookies need a known origin
            scope["auth_method"] = None
        else:
            scope["auth_method"] = "session"
        return await self.inner(scope, receive, send)


class WebsocketGuard:
    def __init__(self, inner):
        self.inner = AuthMiddlewareStack(_TokenAuth(inner))

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            origin = _header(scope, b"origin")
            if origin is not None and not origin_allowed(origin):
                denier = WebsocketDenier()
                return await denier(scope, receive, send)
        return await self.inner(scope, receive, send)
