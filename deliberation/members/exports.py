"""A member's download of their own data (docs/personal-data.md).

`request_export` creates the job (one pending job per member, held by a partial
unique constraint: two requests at once give one job) and hands it to the Celery
task `members.build_export` after commit. `build_export` writes a ZIP — one JSON file
and one readable HTML page per registered section (`personal_data.py`), plus an
index — **streamed**: records go from the database cursor (`iterator()`) straight
into the archive, so memory stays flat however much the member wrote. The file lives
under `DATA_EXPORT_DIR` with an unguessable name until `DATA_EXPORT_EXPIRY_HOURS`
have passed; only its member may download it (`export_for`).
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from deliberation.errors import NotFound

from .models import DataExport, ExportState, Member
from .personal_data import sections

logger = logging.getLogger(__name__)

# Called with the export once it is ready (the notifications app registers one).
_on_ready: list[Callable[[DataExport], None]] = []


def register_export_ready(fn: Callable[[DataExport], None]) -> None:
    _on_ready.append(fn)


def request_export(*, member: Member) -> DataExport:
    """The member's pending export, or a new one scheduled after commit."""
    existing = DataExport.objects.filter(
        member=member, state=ExportState.PENDING
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            export = DataExport.objects.create(member=member)
    except IntegrityError:
        return DataExport.objects.get(member=member, state=ExportState.PENDING)
    from .tasks import build_export_task

    transaction.on_commit(partial(build_export_task.delay, export.pk))
    return export


def export_for(*, member: Member, export_id: int) -> DataExport:
    """The member's own export; anyone else's is a 404 like a missing one."""
    export = DataExport.objects.filter(pk=export_id, member=member).first()
    if export is None:
        raise NotFound(_("No such export."))
    expires = export.expires
    if export.state == ExportState.READY and expires and expires <= timezone.now():
        export.state = ExportState.EXPIRED  # the pruner deletes the file soon
    return export


def export_path(export: DataExport) -> Path | None:
    if export.state != ExportState.READY or not export.file_name:
        return None
    if export.expires is None or export.expires <= timezone.now():
        return None
    path = settings.DATA_EXPORT_DIR / export.file_name
    return path if path.is_file() else None


def build_export(export_id: int) -> bool:
    """Write the archive of a pending export. Safe twice: a second run finds the
    export no longer pending (or its member erased) and does nothing."""
    export = (
        DataExport.objects.select_related("member")
        .filter(pk=export_id, state=ExportState.PENDING)
        .first()
    )
    if export is None or export.member.erased_at is not None:
        return False
    directory = Path(settings.DATA_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{export.pk}-{secrets.token_hex(16)}.zip"
    partial = directory / f"{name}.part"
    try:
        with translation.override(export.member.language or settings.LANGUAGE_CODE):
            write_archive(export.member, partial)
        os.replace(partial, directory / name)
    except Exception:
        partial.unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED)
        logger.exception("data export %s failed", export.pk)
        raise
    now = timezone.now()
    with transaction.atomic():
        updated = DataExport.objects.filter(
            pk=export.pk, state=ExportState.PENDING
        ).update(
            state=ExportState.READY,
            ready_at=now,
            expires=now + timedelta(hours=settings.DATA_EXPORT_EXPIRY_HOURS),
            file_name=name,
            size=(directory / name).stat().st_size,
        )
        if updated:
            export.refresh_from_db()
            for fn in _on_ready:  # the notification, in the same transaction
                fn(export)
    if not updated:
        (directory / name).unlink(missing_ok=True)
        return False
    return True


def _json_text(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=str, indent=1)


def _html_value(value: Any) -> str:
    if isinstance(value, dict):
        return _html_record(value)
    if isinstance(value, list):
        if not value:
            return "—"
        return "<ol>" + "".join(f"<li>{_html_value(v)}</li>" for v in value) + "</ol>"
    if value is None or value == "":
        return "—"
    return escape(str(value)).replace("\n", "<br>")


def _html_record(record: dict) -> str:
    rows = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{_html_value(v)}</td></tr>"
        for k, v in record.items()
    )
    return f"<table>{rows}</table>"


def _write_section(
    zf: zipfile.ZipFile, name: str, title: str, records, html: IO[str]
) -> int:
    """Stream one section into `json/<name>.json`, and its HTML into `html` (a
    temporary file: a ZIP takes one entry at a time)."""
    count = 0
    with (
        zf.open(f"json/{name}.json", "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as out,
    ):
        out.write("[\n")
        for record in records:
            if count:
                out.write(",\n")
            out.write(_json_text(record))
            html.write(f'<article class="record">{_html_record(record)}</article>\n')
            count += 1
        out.write("\n]\n")
    return count


def write_archive(member: Member, path: Path) -> None:
    generated = timezone.now()
    index: list[dict] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for section in sections():
            if section.export is None:
                continue
            title = str(section.title)
            with tempfile.TemporaryFile("w+", encoding="utf-8") as html:
                count = _write_section(
                    zf, section.name, title, section.export(member), html
                )
                html.seek(0)
                with (
                    zf.open(f"html/{section.name}.html", "w", force_zip64=True) as raw,
                    io.TextIOWrapper(raw, encoding="utf-8") as out,
                ):
                    out.write(
                        render_to_string(
                            "members/export_section_head.html",
                            {"title": title, "count": count},
                        )
                    )
                    shutil.copyfileobj(html, out)
                    out.write("</main></body></html>\n")
            index.append({"name": section.name, "title": title, "count": count})
        about = {
            "member": member.pk,
            "generated": generated.isoformat(),
            "sections": index,
        }
        zf.writestr("json/index.json", _json_text(about))
        zf.writestr(
            "index.html",
            render_to_string(
                "members/export_index.html",
                {"member": member, "generated": generated, "sections": index},
            ),
        )
