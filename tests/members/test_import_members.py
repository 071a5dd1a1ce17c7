import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from deliberation.members.models import Member, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roll.csv"
    path.write_text(text, encoding="utf-8")
    return path


def roll(tree) -> str:
    return (
        "member_number,full_name,email,unit_code,joined\n"
        f"5001,Greta Gran,greta@example.org,{tree['branch'].code},2023-05-01\n"
        f"5002,Hassan Holm,hassan@example.org,{tree['branch2'].code},\n"
    )


def test_import_creates_members_and_sends_one_invitation_each(
    tree, tmp_path, smtp_server
):
    call_command("import_members", str(write(tmp_path, roll(tree))))
    greta = Member.objects.get(member_number="5001")
    assert greta.full_name == "Greta Gran"
    assert not greta.has_usable_password()
    assert Membership.objects.get(member=greta).unit == tree["branch"]
    messages = smtp_server.wait_for(2)
    assert sorted(m["X-Rcpt-To"] for m in messages) == [
        "greta@example.org",
        "hassan@example.org",
    ]


def test_rerunning_the_same_file_changes_nothing(tree, tmp_path, smtp_server, capsys):
    path = write(tmp_path, roll(tree))
    call_command("import_members", str(path))
    smtp_server.wait_for(2)
    before = list(Member.objects.values_list("pk", "full_name", "email", "invited_at"))
    call_command("import_members", str(path))
    assert "created 0, updated 0, unchanged 2" in capsys.readouterr().out
    assert (
        list(Member.objects.values_list("pk", "full_name", "email", "invited_at"))
        == before
    )
    assert (
        Membership.objects.filter(member__member_number__in=["5001", "5002"]).count()
        == 2
    )
    assert len(smtp_server.wait_for(3, timeout=1)) == 2  # no new invitations


def test_bad_rows_import_nothing_and_every_bad_row_is_reported(
    tree, tmp_path, smtp_server, capsys
):
    text = (
        "member_number,full_name,email,unit_code\n"
        f"6001,Ok Person,ok@example.org,{tree['branch'].code}\n"
        "6002,No Unit,nounit@example.org,atlantis\n"
        f"6003,Bad Mail,not-an-email,{tree['branch'].code}\n"
        f"6001,Dup Number,dup@example.org,{tree['branch'].code}\n"
    )
    with pytest.raises(CommandError, match="3 bad row"):
        call_command("import_members", str(write(tmp_path, text)))
    err = capsys.readouterr().err
    assert "line 3:" in err
    assert "atlantis" in err
    assert "line 4:" in err
    assert "not-an-email" in err
    assert "line 5:" in err
    assert "duplicate member_number 6001" in err
    assert "line 2:" not in err
    assert not Member.objects.filter(member_number__startswith="600").exists()
    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_missing_columns_are_reported(tree, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "import_members", str(write(tmp_path, "name,email\nA,a@example.org\n"))
        )


def test_updated_row_changes_name_and_adds_unit(tree, tmp_path, smtp_server, capsys):
    call_command("import_members", str(write(tmp_path, roll(tree))))
    changed = (
        roll(tree)
        .replace("Greta Gran", "Greta Gran-Berg")
        .replace(
            f"greta@example.org,{tree['branch'].code}",
            f"greta@example.org,{tree['branch2'].code}",
        )
    )
    call_command("import_members", str(write(tmp_path, changed)))
    assert "updated 1, unchanged 1" in capsys.readouterr().out
    greta = Member.objects.get(member_number="5001")
    assert greta.full_name == "Greta Gran-Berg"
    assert set(greta.memberships.values_list("unit__code", flat=True)) == {
        tree["branch"].code,
        tree["branch2"].code,
    }


def test_invitation_link_sets_password_once_then_member_signs_in(
    tree, tmp_path, smtp_server
):
    call_command("import_members", str(write(tmp_path, roll(tree))))
    msg = next(
        m for m in smtp_server.wait_for(2) if m["X-Rcpt-To"] == "greta@example.org"
    )
    url = re.search(r"https?://\S+/accounts/invite/\S+/", smtp_server.body(msg)).group(
        0
    )
    path = "/" + url.split("/", 3)[3]
    client = Client()
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert b"new_password1" in page.content
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    resp = client.post(
        form_url,
        {"new_password1": "Ett-langt-losen-42", "new_password2": "Ett-langt-losen-42"},
    )
    assert resp.status_code == 302
    assert client.login(username="5001", password="Ett-langt-losen-42")
    again = Client().get(path, follow=True)
    assert b"new_password1" not in again.content  # one-time link
