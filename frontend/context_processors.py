import uuid

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def torget(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "TORGET_PRODUCTION": settings.PRODUCTION,
        # One key per page load for the create forms (deliberation/idempotency.py).
        "submission_key": SimpleLazyObject(lambda: uuid.uuid4().hex),
    }
