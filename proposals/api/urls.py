from django.urls import path

from . import views

urlpatterns = [
    path("topics/", views.TopicListView.as_view(), name="api-topics"),
]
