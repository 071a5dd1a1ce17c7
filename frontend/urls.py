"""Pages. Each area has its own route module in frontend/routes/."""

from django.urls import include, path

urlpatterns = [
    path("", include("frontend.routes.core")),
    path("", include("frontend.routes.proposals")),
    path("", include("frontend.routes.discussions")),
    path("", include("frontend.routes.voting")),
    path("", include("frontend.routes.congress")),
    path("", include("frontend.routes.delegations")),
    path("", include("frontend.routes.notifications")),
    path("", include("frontend.routes.needs_action")),
    path("", include("frontend.routes.personal_data")),
]
