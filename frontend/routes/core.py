from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from frontend.views import accounts, core, members, preview, roles, search

urlpatterns = [
    path("", core.home, name="home"),
    path(
        "favicon.ico",
        RedirectView.as_view(url="/static/torget/favicon.svg", permanent=True),
    ),
    path("units/", core.unit_list, name="unit_list"),
    path("units/<id:pk>/", core.unit_detail, name="unit_detail"),
    path("units/<id:pk>/roles/grant/", roles.grant, name="role_grant"),
    path("units/<id:pk>/roles/<id:role_id>/end/", roles.end, name="role_end"),
    path("audit/", core.audit_log, name="audit_log"),
    path("markdown/preview/", preview.markdown_preview, name="markdown_preview"),
    path("search/", search.search_page, name="search"),
    path("members/<id:pk>/", members.member_detail, name="member_detail"),
    path("members/<id:pk>/follow/", members.member_follow, name="member_follow"),
    path("comments/<id:cid>/", search.comment_link, name="comment_link"),
    path("settings/", accounts.settings_page, name="settings"),
    path("accounts/login/", accounts.RateLimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("settings")),
        name="password_change",
    ),
    path(
        "accounts/invite/<uidb64>/<token>/",
        accounts.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
