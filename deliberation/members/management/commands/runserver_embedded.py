"""`make run`'s server: one ASGI process for HTTP and websockets.

DEBUG pages (tracebacks with settings) are for the developer at this machine. When the
server listens on anything but loopback (`HOST=0.0.0.0 make run` in a meeting room),
DEBUG is turned off before the application loads: visitors get the ordinary error pages
and tracebacks go to the log (the console). `DJANGO_DEBUG=1` set by hand still wins,
with a warning. Either way the first lines of output say which it is.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def is_loopback(host: str) -> bool:
    """True when only this machine can reach `host` (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name or a wildcard: others may reach it


def debug_for(host: str, explicit: str | None) -> bool:
    """DEBUG for a server on `host`: on loopback as configured; elsewhere off unless
    DJANGO_DEBUG was set on purpose (`explicit` is its value, None when unset)."""
    if explicit is not None and explicit.strip():
        return explicit.strip().lower() in {"1", "true", "yes", "on"}
    return bool(settings.DEBUG) if is_loopback(host) else False


def names_for(host: str) -> list[str]:
    """Host names and addresses others may use to reach a server bound to `host`."""
    if host not in {"0.0.0.0", "::", ""}:  # noqa: S104 — we are describing it
        return [host]
    names = [socket.gethostname(), f"{socket.gethostname()}.local"]
    try:
        infos = socket.getaddrinfo(names[0], None)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if address not in names and not is_loopback(address):
            names.append(address)
    return names


class Command(BaseCommand):
    help = (
        "Serve Torget in one ASGI process (HTTP and websockets) — the embedded "
        "profile of `make run`. Production runs gunicorn + uvicorn (see README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="do not run the scheduled tasks in this process",
        )

    def handle(self, *args, host: str, port: int, no_beat: bool = False, **options):
        self._settle_debug(host)
        if not no_beat:
            from deliberation import embedded_beat

            embedded_beat.start()
            self.stdout.write(
                _("Scheduled tasks run in this process (no Celery beat needed).")
            )
        self.stdout.write(
            _("Torget is at http://%(host)s:%(port)d/  (Ctrl+C stops it)")
            % {"host": host, "port": port}
        )
        uvicorn.run(
            "deliberation.asgi:application",
            host=host,
            port=port,
            log_level="info",
            lifespan="off",
            ws="websockets-sansio",
        )

    def _settle_debug(self, host: str) -> None:
        """Before the application loads: settings read at start-up see the result."""
        debug = debug_for(host, os.environ.get("DJANGO_DEBUG"))
        settings.DEBUG = debug
        settings.WHITENOISE_AUTOREFRESH = debug
        if is_loopback(host):
            self.stdout.write(
                _(
                    "DEBUG is on: error pages show tracebacks (only this machine can "
                    "connect)."
                )
                if debug
                else _("DEBUG is off: ordinary error pages.")
            )
            return
        if not os.environ.get("ALLOWED_HOSTS"):
            extra = [n for n in names_for(host) if n not in settings.ALLOWED_HOSTS]
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *extra]
        self.stdout.write(
            _(
                "Answering as: %(names)s (other names or addresses of this "
                "machine: set ALLOWED_HOSTS)."
            )
            % {"names": ", ".join(settings.ALLOWED_HOSTS)}
        )
        if debug:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "DEBUG is on by DJANGO_DEBUG while listening on %(host)s: "
                        "anyone who can reach this address sees tracebacks and "
                        "settings."
                    )
                    % {"host": host}
                )
            )
        else:
            self.stdout.write(
                _(
                    "Listening on %(host)s, not only this machine: DEBUG is off, "
                    "visitors get ordinary error pages and tracebacks go to this log."
                )
                % {"host": host}
            )
