"""Sign-in limits: stop password guessing, never a member who knows their password.

One rule for every way in — the sign-in page, `/admin/login/` and
`POST /api/v1/auth/token/` — because it lives in the authentication backend
(`backends.py`), which all three call. The rules (README "Sign-in limits"):

* **Per account**: after `LOGIN_MAX_FAILURES` wrong passwords the account is locked for
  `LOGIN_LOCKOUT_SECONDS`: every further attempt answers 429 with `Retry-After`, and
  the password is not even checked (so a lock tells a guesser nothing). A right password
  clears the account's count. An attempt counts *before* its password is checked (one
  atomic increment), so 50 parallel guesses get exactly `LOGIN_MAX_FAILURES` checked.
* **Per address**: after `LOGIN_MAX_ADDRESS_FAILURES` wrong passwords from one address
  (an IPv6 /64 counts as one) that address is locked in the same way — that stops one
  machine trying a few passwords on many accounts. Mistakes that the member then
  corrects do not count: when a member signs in, the failures for that account from that
  address are taken off the address's count, so a congress hall behind one NAT is not
  locked by its members' typos. Successful sign-ins are never counted.
* **Known addresses**: an account that signed in from an address within
  `LOGIN_KNOWN_ADDRESS_DAYS` is not held by that address's lock nor by a lock of the
  account caused from elsewhere; attempts from there have their own count of
  `LOGIN_MAX_FAILURES`. A member in a hall where someone else is guessing, or whose
  account is being guessed at from elsewhere, still gets in from where they usually do.
* The client's address is `REMOTE_ADDR`, or `X-Forwarded-For` when the request comes
  from one of `TRUSTED_PROXIES` (`deliberation/client_address.py`).

Counters are Redis (shared by every process) through `deliberation/counters.py`.
Password-reset e-mails are limited per e-mail address and per client address alike.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils.translation import ngettext

from deliberation import counters
from deliberation.client_address import client_address

T = TypeVar("T")
LOCK_ATTRIBUTE = "sign_in_lock"


@dataclass(frozen=True)
class Lock:
    """Why and for how long sign-ins are refused (429 with `Retry-After`)."""

    retry_after: int
    scope: str  # "account", "address" or "password_reset"

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        if self.scope == "address":
            text = ngettext(
                "Too many failed sign-ins from your network. "
                "Try again in %(minutes)d minute.",
                "Too many failed sign-ins from your network. "
                "Try again in %(minutes)d minutes.",
                minutes,
            )
        elif self.scope == "password_reset":
            text = ngettext(
                "Too many password-reset requests. Try again in %(minutes)d minute.",
                "Too many password-reset requests. Try again in %(minutes)d minutes.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                minutes,
            )
        return text % {"minutes": minutes}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def address_group(address: str) -> str:
    """The unit an address limit applies to: the address, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _http_request(request):
    """DRF wraps Django's request; the lock is kept on Django's, where the
    middleware sees it."""
    return getattr(request, "_request", request)


def lock_of(request) -> Lock | None:
    return getattr(_http_request(request), LOCK_ATTRIBUTE, None)


def _refuse(request, lock: Lock) -> None:
    setattr(_http_request(request), LOCK_ATTRIBUTE, lock)


def guard_sign_in(*, request, account: str, check: Callable[[], T | None]) -> T | None:
    """Run `check()` (the password check) under the sign-in limits.

    `account` names the account tried (the member's id, or the name typed when no
    member has it). Returns what `check` returns, or None when the attempt is refused;
    then `lock_of(request)` says why. Without a request (management commands, tests'
    `client.login`) there is no client to limit.
    """
    if request is None:
        return check()
    window = settings.LOGIN_LOCKOUT_SECONDS
    limit = settings.LOGIN_MAX_FAILURES
    address = address_group(client_address(_http_request(request)))
    who = _digest(account)
    where = _digest(address)
    account_key = f"signin:account:{who}"
    address_key = f"signin:address:{where}"
    pair_key = f"signin:pair:{where}:{who}"
    known_key = f"signin:known:{where}:{who}"
    known = counters.peek(known_key).value > 0
    # A known address has its own count for the account; otherwise the account's.
    count_key = pair_key if known else account_key
    if not known:
        held = counters.peek(address_key)
        if held.value >= settings.LOGIN_MAX_ADDRESS_FAILURES:
            _refuse(request, Lock(held.retry_after, "address"))
            return None
    reserved = counters.hit(count_key, window=window)
    if reserved.value > limit:
        counters.undo(count_key)
        _refuse(request, Lock(reserved.retry_after, "account"))
        return None
    try:
        result = check()
    except BaseException:
        counters.undo(count_key)
        raise
    if result is None:
        if reserved.value == limit:
            counters.hold(count_key, seconds=window)
        if not known:
            counters.hit(pair_key, window=window)
            failures = counters.hit(address_key, window=window)
            if failures.value == settings.LOGIN_MAX_ADDRESS_FAILURES:
                counters.hold(address_key, seconds=window)
        return None
    if not known:
        # Forgive this member's own mistakes from here, then remember the address.
        counters.clear(account_key)
        counters.undo(address_key, counters.peek(pair_key).value)
        counters.hit(known_key, window=settings.LOGIN_KNOWN_ADDRESS_DAYS * 86400)
    counters.clear(pair_key)
    return result


def check_password_reset(*, request, email: str) -> Lock | None:
    """Count one password-reset request; a Lock when the e-mail address or the client
    address has asked too often within PASSWORD_RESET_WINDOW_SECONDS."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    address = address_group(client_address(_http_request(request)))
    keys = [
        (
            f"reset:email:{_digest(email.strip().lower())}",
            "PASSWORD_RESET_MAX_PER_EMAIL",
        ),
        (f"reset:address:{_digest(address)}", "PASSWORD_RESET_MAX_PER_ADDRESS"),
    ]
    taken: list[str] = []
    for key, setting in keys:
        count = counters.hit(key, window=window)
        taken.append(key)
        if count.value > getattr(settings, setting):
            for done in taken:
                counters.undo(done)
            return Lock(count.retry_after, "password_reset")
    return None


def check_own_password(*, request, member, password: str) -> bool:
    """A signed-in member confirming an action with their password (deleting the
    account): under the same limits as signing in, so a stolen session cannot
    guess the password. False for a wrong password or a lock (`lock_of` says)."""
    ok = guard_sign_in(
        request=request,
        account=f"member:{member.pk}",
        check=lambda: True if member.check_password(password) else None,
    )
    return bool(ok)
