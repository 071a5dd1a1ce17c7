"""The address a request comes from, trusting `X-Forwarded-For` only from our proxies.

`REMOTE_ADDR` is the peer of the TCP connection. Behind nginx or Caddy that is the
proxy, and the client's address is in `X-Forwarded-For`, which the proxy appends to
(`$proxy_add_x_forwarded_for`). A client can send that header too, so it is read only
when the peer is one of `TRUSTED_PROXIES` (addresses or networks, e.g. `127.0.0.1` or
`10.0.0.0/8`), and then from the right: the first hop that is not a trusted proxy is the
client. Everything to the left of it was written by the client and is ignored. With no
trusted proxies (the default) the header is never read.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5555"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The client's IP address as a string ("unknown" when there is none)."""
    meta = request.META
    peer = _parse(meta.get("REMOTE_ADDR", "") or "")
    networks = trusted_proxies()
    if peer is None:
        return "unknown"
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    hops = (meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",")
    address = peer
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break  # not written by our proxy: stop at the last trusted hop
        address = parsed
        if not _is_trusted(parsed, networks):
            break
    return str(address)
