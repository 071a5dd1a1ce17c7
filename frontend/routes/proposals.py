from django.urls import path

from frontend.views import (
    members,
    policies,
    proposal_actions,
    proposal_feed,
    proposal_spread,
    rule_proposals,
)
from frontend.views import proposals as views

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/mine/", members.my_proposals, name="proposal_mine"),
    path("proposals/similar/", views.proposal_similar, name="proposal_similar"),
    path("proposals/feed/", proposal_feed.ProposalFeed(), name="proposal_feed"),
    path("proposals/<id:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<id:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path(
        "proposals/<id:pk>/act/",
        proposal_actions.proposal_action,
        name="proposal_action",
    ),
    *[
        path(
            f"proposals/<id:pk>/{action}/",
            proposal_actions.proposal_action,
            {"action": action},
            name=f"proposal_{action}",
        )
        for action in (
            "support",
            "unsupport",
            "publish",
            "withdraw",
            "follow",
            "unfollow",
        )
    ],
    path(
        "proposals/<id:pk>/revisions/",
        views.proposal_revisions,
        name="proposal_revisions",
    ),
    path(
        "proposals/<id:pk>/spread/",
        proposal_spread.proposal_spread_page,
        name="proposal_spread",
    ),
    path("proposals/<id:pk>/diff/", views.proposal_diff, name="proposal_diff"),
    path(
        "proposals/<id:pk>/amendments/new/",
        proposal_actions.amendment_create,
        name="amendment_create",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/",
        views.amendment_detail,
        name="amendment_detail",
    ),
    path(
        "proposals/<id:pk>/amendments/<id:amendment_id>/act/",
        proposal_actions.amendment_action,
        name="amendment_action",
    ),
    path("units/<id:pk>/policy/", policies.unit_policy, name="unit_policy"),
    path(
        "units/<id:pk>/policy/propose/",
        rule_proposals.rule_proposal_new,
        name="rule_proposal_new",
    ),
]
