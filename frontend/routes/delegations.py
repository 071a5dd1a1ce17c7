from django.urls import path

from frontend.views import delegations

urlpatterns = [
    path("settings/delegations/", delegations.give, name="delegation_give"),
    path(
        "settings/delegations/<id:pk>/renew/",
        delegations.renew,
        name="delegation_renew",
    ),
    path(
        "settings/delegations/<id:pk>/revoke/",
        delegations.revoke,
        name="delegation_revoke",
    ),
    path("delegations/graph/", delegations.graph, name="delegation_graph"),
]
