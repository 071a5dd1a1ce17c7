from django.urls import path

from frontend.views import discussions as views
from frontend.views import live_sessions, moderation

urlpatterns = [
    path("threads/<id:pk>/", views.thread_detail, name="thread_detail"),
    path("threads/<id:pk>/comments/", views.comment_create, name="comment_create"),
    path(
        "threads/<id:pk>/comments/<id:cid>/fragment/",
        views.comment_fragment,
        name="comment_fragment",
    ),
    path(
        "threads/<id:pk>/sessions/fragment/",
        views.thread_sessions_fragment,
        name="thread_sessions_fragment",
    ),
    path("comments/<id:cid>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<id:cid>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<id:cid>/react/", views.comment_react, name="comment_react"),
    path("comments/<id:cid>/history/", views.comment_history, name="comment_history"),
    path("comments/<id:cid>/flag/", moderation.comment_flag, name="comment_flag"),
    path("comments/<id:cid>/hide/", moderation.comment_hide, name="comment_hide"),
    path(
        "comments/<id:cid>/restore/",
        moderation.comment_restore,
        name="comment_restore",
    ),
    path("comments/<id:cid>/appeal/", moderation.comment_appeal, name="comment_appeal"),
    path("appeals/<id:aid>/decide/", moderation.appeal_decide, name="appeal_decide"),
    path("units/<id:pk>/threads/", views.unit_threads, name="unit_threads"),
    path("units/<id:pk>/sessions/new/", live_sessions.session_new, name="session_new"),
    path("sessions/<id:sid>/close/", live_sessions.session_close, name="session_close"),
    path("moderation/", moderation.moderation, name="moderation"),
]
