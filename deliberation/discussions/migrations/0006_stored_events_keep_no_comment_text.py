"""Stored thread events keep no comment text any more (replays render it from the
comment for the viewer, docs/realtime.md): remove it from the events stored before."""

from django.db import migrations

TEXT_KEYS = ("body", "body_html")
COMMENT_EVENTS = (
    "comment.created",
    "comment.edited",
    "comment.hidden",
    "comment.restored",
    "comment.deleted",
)


def strip_text(apps, schema_editor):
    ThreadEvent = apps.get_model("discussions", "ThreadEvent")
    batch = []
    events = ThreadEvent.objects.filter(type__in=COMMENT_EVENTS).only("id", "data")
    for event in events.iterator(chunk_size=2000):
        data = event.data if isinstance(event.data, dict) else {}
        if any(key in data for key in TEXT_KEYS):
            event.data = {k: v for k, v in data.items() if k not in TEXT_KEYS}
            batch.append(event)
        if len(batch) >= 2000:
            ThreadEvent.objects.bulk_update(batch, ["data"])
            batch = []
    if batch:
        ThreadEvent.objects.bulk_update(batch, ["data"])


class Migration(migrations.Migration):
    dependencies = [("discussions", "0005_appeal_not_decided_by_its_author")]

    operations = [migrations.RunPython(strip_text, migrations.RunPython.noop)]
