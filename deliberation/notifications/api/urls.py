from django.urls import path

from .follows import FollowDetailView, FollowListView

urlpatterns: list = [
    path("follows/", FollowListView.as_view(), name="api-follows"),
    path("follows/<id:pk>/", FollowDetailView.as_view(), name="api-follow"),
]
