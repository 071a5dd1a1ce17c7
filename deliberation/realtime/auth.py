"""Websocket guard: origin check and authentication before any consumer runs.

* A browser sends an `Origin`; the whole origin — scheme, host and port — must be one
  of ours, otherwise the handshake is refused (HTTP 403). Ours are
  WEBSOCKET_ALLOWED_ORIGINS when set; else the origin this very request was made to
  (its `Host`, which must be in ALLOWED_HOSTS, with https when the socket is wss or
  the trusted proxy says so) and CSRF_TRUSTED_ORIGINS — the rule Django's CSRF check
  applies to forms.
* The member is taken from `?token=<api token>` or from the session cookie.
* A connection without `Origin` (a non-browser client) must authenticate by token:
  cookies are only trusted together with an origin we know.
Consumers then check membership of the thread/unit in `connect`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host


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


DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(origin: str) -> str | None:
    """`scheme://host[:port]` in lower case with the default port dropped, or None
    when it is not an http(s) origin."""
    try:
        parsed = urlsplit(origin.strip())
        port = parsed.port
    except ValueError:
        return None
    scheme = parsed.scheme.lower()
    host = (parsed.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _own_origin(scope) -> str | None:
    """The origin the socket was opened on, as Django's CSRF check builds it."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return None
    secure = scope.get("scheme") == "wss"
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        forwarded = _header(scope, header)
        if forwarded is not None:
            secure = forwarded.split(",")[0].strip() == value
    return normalise_origin(f"{'https' if secure else 'http'}://{host}")


def origin_allowed(origin: str, scope=None) -> bool:
    wanted = normalise_origin(origin)
    if wanted is None:
        return False
    explicit = getattr(settings, "WEBSOCKET_ALLOWED_ORIGINS", None)
    if explicit:
        return wanted in {normalise_origin(o) for o in explicit}
    trusted = {normalise_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    if scope is not None:
        trusted.add(_own_origin(scope))
    trusted.discard(None)
    return wanted in trusted


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
            if origin is not None and not origin_allowed(origin, scope):
                denier = WebsocketDenier()
                return await denier(scope, receive, send)
        return await self.inner(scope, receive, send)
