from django.urls import path

from frontend.views import polls

urlpatterns = [
    path("polls/", polls.poll_list, name="poll_list"),
    path("polls/<id:pk>/", polls.poll_detail, name="poll_detail"),
    path("polls/<id:pk>/vote/", polls.poll_vote, name="poll_vote"),
    path("polls/<id:pk>/recount/", polls.poll_recount, name="poll_recount"),
]
