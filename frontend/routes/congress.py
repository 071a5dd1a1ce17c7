from django.urls import path

from frontend.views import congress

urlpatterns = [
    path("congress/", congress.congress_list, name="congress_list"),
    path("congress/<id:pk>/", congress.congress_overview, name="congress_overview"),
    path(
        "congress/<id:pk>/items/<id:item>/",
        congress.item_dossier,
        name="congress_item",
    ),
    path(
        "congress/<id:pk>/items/<id:item>/vote/",
        congress.item_vote,
        name="congress_item_vote",
    ),
    path(
        "congress/<id:pk>/items/<id:item>/review/",
        congress.item_review,
        name="congress_item_review",
    ),
    path(
        "congress/<id:pk>/delegates/<id:delegate>/",
        congress.delegate_record,
        name="congress_delegate",
    ),
    path("congress/<id:pk>/booklet/", congress.booklet, name="congress_booklet"),
    path("congress/<id:pk>/booklet.pdf", congress.booklet_pdf, name="congress_pdf"),
]
