"""Forms of the proposal pages (validation only; services do the writing)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation.inputs import IdFormField
from deliberation.members.models import Member
from frontend.widgets import (
    QuickCheckbox,
    QuickHiddenInput,
    QuickSelect,
    QuickTextInput,
)
from proposals import services
from proposals.models import Amendment, Policy, State, Topic


class FilterForm(forms.Form):
    """The filters of `/proposals/`, drawn by the Python widgets of
    frontend/widgets.py (the page's busiest form)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        widget=QuickTextInput,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any state")), *State.choices],
        widget=QuickSelect,
    )
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    topic = forms.TypedChoiceField(
        label=gettext_lazy("Topic"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    ordering = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("", gettext_lazy("Best match, else newest")),
            ("newest", gettext_lazy("Newest")),
            ("most_supported", gettext_lazy("Most supported")),
            ("closing_soon", gettext_lazy("Closing soon")),
        ],
        widget=QuickSelect,
    )
    subunits = forms.BooleanField(
        label=gettext_lazy("Include the units below"),
        required=False,
        widget=QuickCheckbox,
    )
    followed = forms.BooleanField(
        label=gettext_lazy("Only proposals I follow"),
        required=False,
        widget=QuickCheckbox,
    )
    author = IdFormField(required=False, widget=QuickHiddenInput)

    def __init__(self, *args, units, topics, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("All units")),
            *[(u.pk, u.name) for u in units],
        ]
        cast(forms.ChoiceField, self.fields["topic"]).choices = [
            ("", _("All topics")),
            *[(t.pk, t.name) for t in topics],
        ]


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=services.TITLE_MAX,
        min_length=services.TITLE_MIN,
    )
    clauses = forms.CharField(
        label=gettext_lazy("Decision clauses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One per line, e.g. “att partiet verkar för …”. Without "
            "clauses the title is what gets decided."
        ),
    )
    body = forms.CharField(
        label=gettext_lazy("Rationale (Markdown)"),
        required=False,
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("For the unit"), coerce=int)
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    coauthors = forms.CharField(
        label=gettext_lazy("Co-authors"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Usernames, separated by commas. They are asked to accept."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish now (otherwise it is saved as a draft)"),
        required=False,
    )
    alternative_to = IdFormField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            (u.pk, u.name) for u in units
        ]
        self.fields["title"].widget.attrs.update({"autocomplete": "off"})

    def clean_coauthors(self):
        names = [
            n.strip() for n in self.cleaned_data["coauthors"].split(",") if n.strip()
        ]
        found = {m.username: m for m in Member.objects.filter(username__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(
                _("No member called: %(names)s") % {"names": ", ".join(missing)}
            )
        return [found[n] for n in names]

    def clean_clauses(self):
        return [
            line.strip()
            for line in self.cleaned_data["clauses"].splitlines()
            if line.strip()
        ]


class EditForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=services.TITLE_MAX,
        min_length=services.TITLE_MIN,
    )
    clauses = ProposalForm.base_fields["clauses"]
    body = ProposalForm.base_fields["body"]
    topics = ProposalForm.base_fields["topics"]
    note = forms.CharField(
        label=gettext_lazy("What did you change?"), required=False, max_length=300
    )
    clean_clauses = ProposalForm.clean_clauses


class AmendmentForm(forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("Part"), choices=Amendment.Target.choices, initial="body"
    )
    clause = forms.IntegerField(
        label=gettext_lazy("Clause number"),
        required=False,
        min_value=1,
        max_value=services.CLAUSES_MAX,
    )
    original = forms.CharField(
        label=gettext_lazy("Passage to change (copy it exactly)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.BODY_MAX,
    )
    replacement = forms.CharField(
        label=gettext_lazy("Replace it with"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.BODY_MAX,
    )
    rationale = forms.CharField(
        label=gettext_lazy("Why (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class PolicyForm(forms.ModelForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason (public, in the audit log)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    class Meta:
        model = Policy
        fields = services.POLICY_FIELDS


def apply_errors(form: forms.BaseForm, exc: Exception) -> None:
    """Show a service's refusal on the form: field errors on their fields."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))
