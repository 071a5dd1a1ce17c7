import uuid

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _moderation_queue(request):
    if not request.user.is_authenticated:
        return None
    from deliberation.discussions.selectors import moderation_queue

    return moderation_queue(request.user)


def torget(request):
    return {
        # For the main menu: moderators see what waits for them (evaluated only
        # where a template asks).
        "moderation_queue": SimpleLazyObject(lambda: _moderation_queue(request)),
        "SITE_URL": settings.SITE_URL,
        "TORGET_PRODUCTION": settings.PRODUCTION,
        # One key per page load for the create forms (deliberation/idempotency.py).
        "submission_key": SimpleLazyObject(lambda: uuid.uuid4().hex),
    }
