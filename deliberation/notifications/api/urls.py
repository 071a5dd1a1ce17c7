from django.urls import path

from .follows import FollowDetailView, FollowListView
from .needs_action import NeedsActionView

urlpatterns: list = [
    path("follows/", FollowListView.as_view(), name="api-follows"),
    path("follows/<id:pk>/", FollowDetailView.as_view(), name="api-follow"),
    path("needs-action/", NeedsActionView.as_view(), name="api-needs-action"),
]
