from django.urls import path

from . import views

urlpatterns = [
    path("delegations/", views.DelegationListView.as_view(), name="api-delegations"),
    path(
        "delegations/graph/",
        views.DelegationGraphView.as_view(),
        name="api-delegation-graph",
    ),
]
