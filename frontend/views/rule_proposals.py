"""A rule proposal from a unit's rules page (docs/flat.md): the member picks the
rules to change and their new values; the clauses are written from them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.errors import ServiceError
from deliberation.idempotency import create_once, request_key
from deliberation.members.models import Unit
from proposals import permissions, services
from proposals.models import Proposal, ProposalKind
from proposals.rules import RULE_FIELDS, field_label

from .proposal_forms import apply_errors

ROWS = 3


def _value(raw: str) -> object:
    """Form text → the JSON value a rule change holds."""
    text = raw.strip()
    lowered = text.lower()
    if lowered in ("true", "ja", "yes"):
        return True
    if lowered in ("false", "nej", "no"):
        return False
    if lowered in ("", "none", "ingen"):
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    decimal = text.replace(",", ".")
    return decimal if decimal.replace(".", "", 1).isdigit() else text


class RuleProposalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Why (rationale, Markdown)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish now (otherwise a draft)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((f, field_label(f)) for f in RULE_FIELDS)]
        for row in range(1, ROWS + 1):
            self.fields[f"field_{row}"] = forms.ChoiceField(
                label=_("Rule %(n)d") % {"n": row},
                choices=choices,
                required=row == 1,
            )
            self.fields[f"value_{row}"] = forms.CharField(
                label=_("New value %(n)d") % {"n": row},
                required=False,
                max_length=40,
                help_text=_("Shares as fractions (0.05 is 5 %), days as numbers.")
                if row == 1
                else "",
            )

    def rule_changes(self) -> list[dict]:
        return [
            {
                "field": self.cleaned_data[f"field_{row}"],
                "value": _value(self.cleaned_data[f"value_{row}"]),
            }
            for row in range(1, ROWS + 1)
            if self.cleaned_data.get(f"field_{row}")
        ]


@login_required
def rule_proposal_new(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    if not permissions.can_propose_in(request.user, unit):
        raise PermissionDenied(_("You can only propose in units you belong to."))
    form = RuleProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal, _created = create_once(
                member=request.user,
                key=request_key(request),
                model=Proposal,
                create=lambda: services.create_proposal(
                    actor=request.user,
                    title=data["title"],
                    body=data["body"],
                    unit=unit,
                    kind=ProposalKind.RULES,
                    rule_changes=form.rule_changes(),
                    publish=data["publish"],
                ),
            )
        except (ServiceError, ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your rule proposal is saved."))
            return redirect("proposal_detail", pk=proposal.pk)
    return render(
        request,
        "proposals/rule_new.html",
        {"unit": unit, "form": form},
        status=400 if request.method == "POST" else 200,
    )
