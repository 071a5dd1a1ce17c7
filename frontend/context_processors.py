from django.conf import settings


def torget(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "TORGET_PRODUCTION": settings.PRODUCTION,
    }
