"""Swedish is complete: every user-facing string in the code has a Swedish translation.

The catalogue is regenerated from the source in a copy of the tree (makemessages merges
the existing translations), so a new string without Swedish fails here."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".venv",
    "data",
    ".git",
    "node_modules",
    "__pycache__",
    "staticfiles",
    "docs",
    ".pytest_cache",
    "*.mo",
)


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]


def test_committed_catalogue_is_fully_translated():
    po = polib.pofile(str(ROOT / "locale/sv/LC_MESSAGES/django.po"))
    assert len(po) > 100
    assert untranslated(po) == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs gettext (make test installs it)"
)
def test_every_string_in_the_source_has_swedish(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    for domain in ("django", "djangojs"):
        args = [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-location",
            "-l",
            "sv",
            "-d",
            domain,
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "*/vendor/*",
        ]
        subprocess.run(args, cwd=copy, check=True, capture_output=True, timeout=300)
        path = copy / f"locale/sv/LC_MESSAGES/{domain}.po"
        if path.exists():
            missing = untranslated(polib.pofile(str(path)))
            assert missing == [], f"{domain}: strings without Swedish: {missing[:20]}"
