from django.urls import path

from frontend.views import discussions as views
from frontend.views import live_sessions, moderation

urlpatterns = [
    path("threads/<int:pk>/", views.thread_detail, name="thread_detail"),
    path("threads/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path(
        "threads/<int:pk>/comments/<int:cid>/fragment/",
        views.comment_fragment,
        name="comment_fragment",
    ),
    path("comments/<int:cid>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:cid>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:cid>/react/", views.comment_react, name="comment_react"),
    path("comments/<int:cid>/history/", views.comment_history, name="comment_history"),
    path("comments/<int:cid>/flag/", moderation.comment_flag, name="comment_flag"),
    path("comments/<int:cid>/hide/", moderation.comment_hide, name="comment_hide"),
    path(
        "comments/<int:cid>/restore/",
        moderation.comment_restore,
        name="comment_restore",
    ),
    path(
        "comments/<int:cid>/appeal/", moderation.comment_appeal, name="comment_appeal"
    ),
    path("appeals/<int:aid>/decide/", moderation.appeal_decide, name="appeal_decide"),
    path("units/<int:pk>/threads/", views.unit_threads, name="unit_threads"),
    path("units/<int:pk>/sessions/new/", live_sessions.session_new, name="session_new"),
    path(
        "sessions/<int:sid>/close/", live_sessions.session_close, name="session_close"
    ),
    path("moderation/", moderation.moderation, name="moderation"),
]
