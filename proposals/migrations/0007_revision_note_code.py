from django.db import migrations, models

# The system's revision notes were stored as text in the language of the moment;
# they are codes now, rendered in the reader's language (Revision.display_note).
FIRST = ("First version", "Första versionen")
AMENDMENT_PREFIXES = ("Amendment #", "Ändringsförslag #")


def notes_to_codes(apps, schema_editor):
    Revision = apps.get_model("proposals", "Revision")
    Revision.objects.filter(note__in=FIRST).update(note="", note_code="first")
    for prefix in AMENDMENT_PREFIXES:
        Revision.objects.filter(
            amendment__isnull=False, note__startswith=prefix
        ).update(note="", note_code="amendment")


def codes_to_notes(apps, schema_editor):
    Revision = apps.get_model("proposals", "Revision")
    Revision.objects.filter(note_code="first").update(note=FIRST[0])
    for r in Revision.objects.filter(note_code="amendment"):
        r.note = f"Amendment #{r.amendment_id} accepted"
        r.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("proposals", "0006_policy_delegation")]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="note_code",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(notes_to_codes, codes_to_notes),
    ]
