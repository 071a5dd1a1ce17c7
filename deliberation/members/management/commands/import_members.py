from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deliberation.members.roll_import import import_roll


class Command(BaseCommand):
    help = (
        "Import the membership roll (CSV: member_number,full_name,email,unit_code"
        "[,joined]). All or nothing: a file with bad rows imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        report = import_roll(text)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(report.errors)} bad row(s); nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}"
            )
        )
