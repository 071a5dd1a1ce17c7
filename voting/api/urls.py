from django.urls import path

from . import views

urlpatterns = [
    path("polls/", views.PollListView.as_view(), name="api-polls"),
    path("polls/<id:pk>/", views.PollDetailView.as_view(), name="api-poll"),
    path("polls/<id:pk>/ballots/", views.BallotView.as_view(), name="api-poll-ballots"),
    path("polls/<id:pk>/result/", views.ResultView.as_view(), name="api-poll-result"),
    path(
        "polls/<id:pk>/bulletin/",
        views.BulletinView.as_view(),
        name="api-poll-bulletin",
    ),
]
