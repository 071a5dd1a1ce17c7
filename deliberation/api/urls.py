"""/api/v1/ — each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("deliberation.members.api.urls")),
    path("", include("deliberation.audit.api.urls")),
    path("", include("proposals.api.urls")),
    path("", include("deliberation.discussions.api.urls")),
    path("", include("deliberation.notifications.api.urls")),
    path("", include("voting.api.urls")),
    path("", include("deliberation.search.urls")),
    path("", include("delegations.api.urls")),
    path("", include("congress.api.urls")),
]
