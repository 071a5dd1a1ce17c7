from django.urls import path

from . import amendments, spread, views

urlpatterns = [
    path("topics/", views.TopicListView.as_view(), name="api-topics"),
    path("proposals/", views.ProposalListView.as_view(), name="api-proposals"),
    path(
        "proposals/similar/", views.SimilarView.as_view(), name="api-proposals-similar"
    ),
    path("proposals/<id:pk>/", views.ProposalDetailView.as_view(), name="api-proposal"),
    path(
        "proposals/<id:pk>/publish/",
        views.ProposalActionView.as_view(action_name="publish"),
        name="api-proposal-publish",
    ),
    path(
        "proposals/<id:pk>/withdraw/",
        views.ProposalActionView.as_view(action_name="withdraw"),
        name="api-proposal-withdraw",
    ),
    path(
        "proposals/<id:pk>/coauthorship/",
        views.CoauthorView.as_view(),
        name="api-proposal-coauthorship",
    ),
    path(
        "proposals/<id:pk>/support/",
        views.SupportView.as_view(),
        name="api-proposal-support",
    ),
    path(
        "proposals/<id:pk>/spread/",
        spread.SpreadView.as_view(),
        name="api-proposal-spread",
    ),
    path(
        "proposals/<id:pk>/revisions/",
        views.RevisionListView.as_view(),
        name="api-proposal-revisions",
    ),
    path(
        "proposals/<id:pk>/revisions/diff/",
        views.RevisionDiffView.as_view(),
        name="api-proposal-diff",
    ),
    path(
        "proposals/<id:pk>/amendments/",
        amendments.AmendmentListView.as_view(),
        name="api-amendments",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/",
        amendments.AmendmentDetailView.as_view(),
        name="api-amendment",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/support/",
        amendments.AmendmentSupportView.as_view(),
        name="api-amendment-support",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/accept/",
        amendments.AmendmentAcceptView.as_view(),
        name="api-amendment-accept",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/withdraw/",
        amendments.AmendmentWithdrawView.as_view(),
        name="api-amendment-withdraw",
    ),
    path("policies/", views.PolicyListView.as_view(), name="api-policies"),
    path(
        "units/<id:pk>/policy/", views.UnitPolicyView.as_view(), name="api-unit-policy"
    ),
    path(
        "units/<id:pk>/policy/versions/",
        views.PolicyVersionListView.as_view(),
        name="api-unit-policy-versions",
    ),
]
