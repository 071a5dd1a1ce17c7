from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from deliberation.observability import views as observability


def api_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("deliberation.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
]


def bench_hello(request):
    """The bare Django JSON view bench/ compares each timing with (same middleware,
    same server). Routed only when TORGET_BENCH_HELLO is on."""
    return JsonResponse({"hello": "world"})


if settings.BENCH_HELLO:
    urlpatterns.insert(0, path("bench/hello/", bench_hello))

handler404 = "frontend.views.errors.not_found"
handler500 = "frontend.views.errors.server_error"
handler403 = "frontend.views.errors.forbidden"
handler400 = "frontend.views.errors.bad_request"
