"""Full-text search over comments (deliberation/search): a side table with each
comment's Swedish + English vector and a GIN index, kept by a trigger on PostgreSQL
(every insert and every change of `body`, whatever code wrote it); backfilled here.
SQLite gets the table but no trigger (search uses `icontains` there)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION discussions_comment_search_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO discussions_commentsearch (comment_id, vector)
    VALUES (
        NEW.id,
        setweight(to_tsvector('swedish'::regconfig, coalesce(NEW.body, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(NEW.body, '')), 'B')
    )
    ON CONFLICT (comment_id) DO UPDATE SET vector = EXCLUDED.vector;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
DROP TRIGGER IF EXISTS discussions_comment_search ON discussions_comment;
CREATE TRIGGER discussions_comment_search
    AFTER INSERT OR UPDATE OF body ON discussions_comment
    FOR EACH ROW EXECUTE FUNCTION discussions_comment_search_update();
"""
BACKFILL = """
INSERT INTO discussions_commentsearch (comment_id, vector)
SELECT id,
       setweight(to_tsvector('swedish'::regconfig, coalesce(body, '')), 'B')
       || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
FROM discussions_comment
ON CONFLICT (comment_id) DO NOTHING;
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS discussions_commentsearch_gin "
    "ON discussions_commentsearch USING gin (vector)"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (FUNCTION, TRIGGER, BACKFILL, INDEX):
            schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS discussions_comment_search ON discussions_comment"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS discussions_comment_search_update()")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0006_stored_events_keep_no_comment_text")]

    operations = [
        migrations.CreateModel(
            name="CommentSearch",
            fields=[
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_doc",
                        serialize=False,
                        to="discussions.comment",
                    ),
                ),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(null=True),
                ),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
