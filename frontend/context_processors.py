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
        # The header badge (one query, only on pages that show it).
        "unread_notifications": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request) -> int:
    from deliberation.notifications.selectors import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
