from django.urls import path

from frontend.views import polls

urlpatterns = [
    path("polls/", polls.poll_list, name="poll_list"),
    path("polls/<int:pk>/", polls.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/vote/", polls.poll_vote, name="poll_vote"),
    path("polls/<int:pk>/recount/", polls.poll_recount, name="poll_recount"),
]
