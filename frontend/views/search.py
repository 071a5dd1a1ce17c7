"""The search page (`/search/?q=&type=`): the same search as `GET /api/v1/search/`
(deliberation/search), with the same read rules, paginated. Works without
JavaScript: a plain GET form."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from deliberation.inputs import query_choice
from deliberation.search.engine import search
from deliberation.search.registry import providers
from deliberation.search.text import clean_query

PAGE_SIZE = 20


@login_required
def search_page(request):
    kinds = [(p.type, p.label) for p in providers()]
    kind = query_choice(request.GET, "type", [k for k, _ in kinds])
    q = clean_query(request.GET.get("q"))
    results = search(viewer=request.user, q=q, type=kind)
    page: Any = Paginator(cast(Any, results), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    names = {p.type: p.one for p in providers()}
    page.object_list = [
        (hit, names.get(hit.type, hit.type)) for hit in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "search/results.html",
        {
            "q": q,
            "kind": kind or "",
            "kinds": kinds,
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
def comment_link(request, cid: int):
    """`/comments/{id}/`: the comment in its thread, on the page where it is (a
    search hit's link); 404 for a comment in a thread the viewer may not read."""
    from .discussion_display import back_to_comment, comment_for

    return back_to_comment(comment_for(request, cid))
