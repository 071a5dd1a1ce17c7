"""Response headers that narrow what a page may do (README "Configuration").

* Content-Security-Policy (django-csp): `connect-src` allows websockets only to the host
  that served the page (`ws://` on http, `wss://` on https), not `ws:`/`wss:` anywhere;
  an injected script could otherwise send what it reads to any server.
* Permissions-Policy: browser features Torget never uses (camera, microphone, location,
  payment, …) are off for the page and anything it embeds (`PERMISSIONS_POLICY`).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False):
        parts: PolicyParts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        update = dict(parts.update or {})
        own = [f"{scheme}://{host}"]
        update["connect-src"] = [*(update.get("connect-src") or []), *own]
        parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
