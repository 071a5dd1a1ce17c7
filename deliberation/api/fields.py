"""Serializer fields every API input of an id uses (README "Input rules")."""

from __future__ import annotations

from rest_framework import serializers

from deliberation.inputs import MAX_ID


class IdField(serializers.IntegerField):
    """An id sent by a client: a whole number from 1 to 2**63 - 1 (a field error
    naming it otherwise); the schema says so, so generated clients know too."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
