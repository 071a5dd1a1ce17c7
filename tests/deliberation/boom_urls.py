"""A URLconf with a view that fails, to see what a visitor and the log get."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("kaboom-7f3a")


urlpatterns = [path("boom/", boom), path("", include("deliberation.urls"))]
handler500 = "frontend.views.errors.server_error"
