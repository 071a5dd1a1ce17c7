from django.urls import path

from . import live_sessions, moderation, views

urlpatterns = [
    path("threads/", views.ThreadListView.as_view(), name="api-threads"),
    path("threads/<int:pk>/", views.ThreadDetailView.as_view(), name="api-thread"),
    path(
        "threads/<int:pk>/comments/",
        views.ThreadCommentsView.as_view(),
        name="api-thread-comments",
    ),
    path(
        "threads/<int:pk>/arguments/",
        views.ThreadArgumentsView.as_view(),
        name="api-thread-arguments",
    ),
    path("comments/<int:pk>/", views.CommentDetailView.as_view(), name="api-comment"),
    path(
        "comments/<int:pk>/history/",
        views.CommentHistoryView.as_view(),
        name="api-comment-history",
    ),
    path(
        "comments/<int:pk>/reactions/",
        views.CommentReactionsView.as_view(),
        name="api-comment-reactions",
    ),
    path(
        "comments/<int:pk>/flags/",
        moderation.CommentFlagsView.as_view(),
        name="api-comment-flags",
    ),
    path(
        "comments/<int:pk>/hide/",
        moderation.CommentHideView.as_view(),
        name="api-comment-hide",
    ),
    path(
        "comments/<int:pk>/restore/",
        moderation.CommentRestoreView.as_view(),
        name="api-comment-restore",
    ),
    path(
        "comments/<int:pk>/appeal/",
        moderation.CommentAppealView.as_view(),
        name="api-comment-appeal",
    ),
    path("flags/", moderation.OpenFlagListView.as_view(), name="api-flags"),
    path("appeals/", moderation.AppealListView.as_view(), name="api-appeals"),
    path(
        "appeals/<int:pk>/decide/",
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
        "live-sessions/<int:pk>/",
        live_sessions.LiveSessionDetailView.as_view(),
        name="api-live-session",
    ),
    path(
        "live-sessions/<int:pk>/close/",
        live_sessions.LiveSessionCloseView.as_view(),
        name="api-live-session-close",
    ),
]
