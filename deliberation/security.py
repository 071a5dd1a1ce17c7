"""Response headers that narrow what a page may do (README "Configuration").

* Content-Security-Policy (django-csp): `connect-src` allows websockets only to the host
  that served the page (`ws://` on http, `wss://` on https), not `ws:`/`wss:` anywhere;
  an injected script could otherwise send what it reads to any server.
* Permissions-Policy: browser features Torget never uses (camera, microphone, location,
  payment, …) are off for the page and anything it embeds (`PERMISSIONS_POLICY`).

Building the policy was a fifth of a bare request's time, so the headers are built once
per (scheme, host) and reused — but only for a response that django-csp would build
from the settings alone: no nonce was asked for and no view changed the policy
(`@csp_update` and friends); anything else takes django-csp's own path.
"""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse

# What a view or decorator may set on a response to change or drop its policy.
PER_RESPONSE = tuple(
    f"_csp_{name}{suffix}"
    for name in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
CACHED_HOSTS = 64  # at most ALLOWED_HOSTS × 2 schemes in practice
_generation = 0  # bumped when a test changes the policy settings


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs):
    global _generation
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _generation += 1


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def __init__(self, get_response=None):
        super().__init__(get_response)
        self._headers: dict[tuple[int, bool, str], list[tuple[str, str]]] = {}

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

    def process_response(self, request, response):
        if not self._cacheable(request, response):
            return super().process_response(request, response)
        try:
            key = (_generation, request.is_secure(), request.get_host())
        except DisallowedHost:
            return super().process_response(request, response)
        headers = self._headers.get(key)
        if headers is None:
            # django-csp's own answer for a plain response to this request
            probe = super().process_response(request, HttpResponse())
            headers = [
                (name, probe[name])
                for name in (HEADER, HEADER_REPORT_ONLY)
                if name in probe
            ]
            if len(self._headers) >= CACHED_HOSTS:
                self._headers.clear()
            self._headers[key] = headers
        for name, value in headers:
            response[name] = value
        # as django-csp does: a nonce asked for after the header was written fails
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _cacheable(request, response) -> bool:
        return not (
            settings.DEBUG  # django-csp leaves DEBUG's 404/500 pages alone
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_RESPONSE)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or _excluded_prefixes()
        )


def _excluded_prefixes() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
