from django.urls import path

from . import views

C = "congresses/<id:pk>/"
ITEM = C + "items/<id:item>/"

urlpatterns = [
    path("congresses/", views.CongressListView.as_view(), name="api-congresses"),
    path(C, views.CongressDetailView.as_view(), name="api-congress"),
    path(C + "close/", views.CongressCloseView.as_view(), name="api-congress-close"),
    path(
        C + "delegates/",
        views.DelegateListView.as_view(),
        name="api-congress-delegates",
    ),
    path(
        C + "delegates/<id:delegate>/",
        views.DelegateDetailView.as_view(),
        name="api-congress-delegate",
    ),
    path(C + "items/", views.ItemListView.as_view(), name="api-congress-items"),
    path(ITEM, views.ItemDetailView.as_view(), name="api-congress-item"),
    path(
        ITEM + "provenance/",
        views.ProvenanceView.as_view(),
        name="api-congress-provenance",
    ),
    path(
        ITEM + "delegate-votes/",
        views.DelegateVoteView.as_view(),
        name="api-congress-delegate-votes",
    ),
    path(ITEM + "review/", views.ReviewView.as_view(), name="api-congress-review"),
    path(
        ITEM + "responses/", views.ResponseView.as_view(), name="api-congress-responses"
    ),
    path(
        ITEM + "decision/", views.DecisionView.as_view(), name="api-congress-decision"
    ),
    path(
        ITEM + "follow-ups/",
        views.FollowUpView.as_view(),
        name="api-congress-follow-ups",
    ),
    path(C + "export.csv", views.export_view("csv").as_view(), name="api-congress-csv"),
    path(
        C + "export.json", views.export_view("json").as_view(), name="api-congress-json"
    ),
]
