from django.urls import path

from . import live_sessions, moderation, views

urlpatterns = [
    path("threads/", views.ThreadListView.as_view(), name="api-threads"),
    path("threads/<id:pk>/", views.ThreadDetailView.as_view(), name="api-thread"),
    path(
        "threads/<id:pk>/comments/",
        views.ThreadCommentsView.as_view(),
        name="api-thread-comments",
    ),
    path(
        "threads/<id:pk>/arguments/",
        views.ThreadArgumentsView.as_view(),
        name="api-thread-arguments",
    ),
    path("comments/<id:pk>/", views.CommentDetailView.as_view(), name="api-comment"),
    path(
        "comments/<id:pk>/history/",
        views.CommentHistoryView.as_view(),
        name="api-comment-history",
    ),
    path(
        "comments/<id:pk>/reactions/",
        views.CommentReactionsView.as_view(),
        name="api-comment-reactions",
    ),
    path(
        "comments/<id:pk>/flags/",
        moderation.CommentFlagsView.as_view(),
        name="api-comment-flags",
    ),
    path(
        "comments/<id:pk>/hide/",
        moderation.CommentHideView.as_view(),
        name="api-comment-hide",
    ),
    path(
        "comments/<id:pk>/restore/",
        moderation.CommentRestoreView.as_view(),
        name="api-comment-restore",
    ),
    path(
        "comments/<id:pk>/appeal/",
        moderation.CommentAppealView.as_view(),
        name="api-comment-appeal",
    ),
    path("flags/", moderation.OpenFlagListView.as_view(), name="api-flags"),
    path("appeals/", moderation.AppealListView.as_view(), name="api-appeals"),
    path(
        "appeals/<id:pk>/decide/",
        moderation.AppealDecideView.as_view(),
        name="api-appeal-decide",
    ),
    path(
        "moderation-log/",
        moderation.ModerationLogView.as_view(),
        name="api-moderation-log",
    ),
    path(
        "live-sessions/",
        live_sessions.LiveSessionListView.as_view(),
        name="api-live-sessions",
    ),
    path(
        "live-sessions/<id:pk>/",
        live_sessions.LiveSessionDetailView.as_view(),
        name="api-live-session",
    ),
    path(
        "live-sessions/<id:pk>/close/",
        live_sessions.LiveSessionCloseView.as_view(),
        name="api-live-session-close",
    ),
]
