"""Forms of the discussion pages (validation only; services do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from deliberation.discussions.models import AppealOutcome, Stance
from deliberation.inputs import IdFormField


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10000}),
        max_length=10000,
        help_text=gettext_lazy(
            "Markdown works: **bold**, *italic*, [links](https://…), "
            "lists. Mention a member with @username."
        ),
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Your stance"),
        choices=Stance.choices,
        initial=Stance.NEUTRAL,
    )
    parent = IdFormField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Your stance"), choices=Stance.choices
    )


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("What do you want to discuss?"), max_length=200
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The reason is public."),
    )

    def __init__(self, *args, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if help_text is not None:
            self.fields["reason"].help_text = help_text


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=AppealOutcome.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    ends = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Kept on the thread for everyone."),
    )
