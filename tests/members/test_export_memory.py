"""An export of a member with 10,000 comments completes with memory bounded: the
archive is streamed from the database cursor into the ZIP, so the peak (measured
with tracemalloc) does not grow with the number of comments."""

from __future__ import annotations

import json
import time
import tracemalloc
import zipfile

import pytest
from django.utils import timezone

from deliberation.discussions.models import Comment, CommentRevision
from deliberation.discussions.services import create_thread
from deliberation.members.exports import build_export, request_export
from deliberation.members.models import DataExport
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TEXT = "Ett argument om kollektivtrafiken, med lite mer text för vikten. " * 4


def _comments(member, thread, n):
    now = timezone.now()
    Comment.objects.bulk_create(
        [
            Comment(
                thread=thread,
                author=member,
                body=f"{i}: {TEXT}",
                body_html=f"<p>{i}: {TEXT}</p>",
                created=now,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def _peak_export(member, settings) -> tuple[int, float, DataExport]:
    export = request_export(member=member)  # the task runs after commit: not here
    tracemalloc.start()
    started = time.monotonic()
    assert build_export(export.pk)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    export.refresh_from_db()
    return peak, elapsed, export


def test_ten_thousand_comments_export_in_bounded_memory(tree, settings, tmp_path):
    settings.DATA_EXPORT_DIR = tmp_path
    small = MemberFactory(units=[tree["branch"]])
    large = MemberFactory(units=[tree["branch"]])
    thread = create_thread(title="Stor tråd", unit=tree["branch"], actor=large)
    _comments(small, thread, 1_000)
    _comments(large, thread, 10_000)
    some = Comment.objects.filter(author=large)[:100]
    CommentRevision.objects.bulk_create(
        [
            CommentRevision(comment=c, body="Förr.", stance=c.stance, created=c.created)
            for c in some
        ]
    )

    peak_small, _t, _e = _peak_export(small, settings)
    peak_large, elapsed, export = _peak_export(large, settings)
    print(
        f"\nexport peak memory: 1,000 comments {peak_small / 1e6:.1f} MB, "
        f"10,000 comments {peak_large / 1e6:.1f} MB ({elapsed:.1f} s, "
        f"archive {export.size / 1e6:.1f} MB)"
    )
    # Streamed: ten times the comments, not ten times the memory. (Holding the
    # 10,000 records as model instances with a prefetch cost 17 MB here.)
    assert peak_large < peak_small * 1.5 + 2_000_000
    assert peak_large < 8_000_000

    with zipfile.ZipFile(tmp_path / export.file_name) as archive:
        comments = json.loads(archive.read("json/discussions.comments.json"))
        html = archive.read("html/discussions.comments.html").decode()
    assert len(comments) == 10_000
    assert html.count('<article class="record">') == 10_000
    assert sum(1 for c in comments if c["earlier_versions"]) == 100
