import uvicorn
from django.core.management.base import BaseCommand


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
        if not no_beat:
            from deliberation import embedded_beat

            embedded_beat.start()
            self.stdout.write(
                "Scheduled tasks run in this process (no Celery beat needed)."
            )
        self.stdout.write(f"Torget is at http://{host}:{port}/  (Ctrl+C stops it)")
        uvicorn.run(
            "deliberation.asgi:application",
            host=host,
            port=port,
            log_level="info",
            lifespan="off",
            ws="websockets-sansio",
        )
