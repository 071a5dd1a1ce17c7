"""Form widgets written in Python for the busiest pages. Django renders a select
through a template per option (and an include per attribute list): the filter form
of `/proposals/` spent more time there than in its queries. Same HTML as Django's
widgets (the attributes through `flatatt`, options escaped)."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single select without option groups, rendered without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in ((str(v), label) for v, label in self.choices)
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class QuickTextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            "" if value is None else format_html(' value="{}"', value),
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class QuickHiddenInput(QuickTextInput):
    input_type = "hidden"


class QuickCheckbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            final["checked"] = True
        return format_html('<input type="checkbox" name="{}"{}>', name, flatatt(final))
