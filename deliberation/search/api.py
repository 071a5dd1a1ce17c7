"""`GET /api/v1/search/?q=&type=` — one search over everything the caller may read
(README "API"). Paginated like every list; each hit `{"type", "id", "title", "url",
"snippet", "context", "date"}`, `snippet` being escaped HTML whose only tags are
`<mark>` around the matches."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from deliberation.inputs import query_choice

from .engine import search
from .registry import registered_types
from .text import MAX_QUERY


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="proposal, thread, comment, poll, …")
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the hit on this site.")
    snippet = serializers.CharField(
        help_text="Escaped HTML: the matching passage, matches in <mark>."
    )
    date = serializers.DateTimeField(allow_null=True)

    def get_fields(self):
        # `context` would shadow Serializer.context as a class attribute.
        fields = super().get_fields()
        fields["context"] = serializers.CharField(
            help_text="Where it is (unit, author, state)."
        )
        return fields


class SearchView(generics.ListAPIView):
    """Proposals, discussions, comments and votes matching `q` (Swedish and English
    full text on PostgreSQL), best first, with the same read rules as their pages:
    drafts, hidden or deleted comments and threads you may not read are never
    found."""

    serializer_class = SearchHitSerializer

    def get_queryset(self):
        params = self.request.query_params
        return search(
            viewer=self.request.user,
            q=params.get("q", ""),
            type=query_choice(params, "type", registered_types()),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description=f"What to find (at most {MAX_QUERY} characters)."
            ),
            OpenApiParameter("type", str, enum=registered_types()),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
