"""GIN index for full-text search, on PostgreSQL only (SQLite uses the fallback)."""

from django.db import migrations

INDEX = "proposals_proposal_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON proposals_proposal "
            "USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_proposals")]

    operations = [migrations.RunPython(create_index, drop_index)]
