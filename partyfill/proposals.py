"""Proposals in every state, each with the history the services would have written:
its thread, authors (the creator follows it), revisions, topics, supports dated
inside its support phase, and one StateChange + audit entry per move. The moves'
thread events are handed to the comments step, which numbers them (`seq`) in time
order together with the comments."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import numpy as np
from django.db.models import Q

from deliberation.audit.models import AuditEntry
from deliberation.discussions.models import Thread, ThreadKind
from deliberation.markdown import render_markdown
from deliberation.notifications.models import Follow, FollowTarget
from proposals.models import (
    Cause,
    Policy,
    Proposal,
    ProposalAuthor,
    Revision,
    State,
    StateChange,
    Support,
)
from proposals.search import refresh_search_vector
from proposals.services import ensure_default_policy

from . import text
from .copying import bulk_load, copy_rows, execute, reserve_ids
from .plan import (
    CLOSED,
    LEVEL_SHARES,
    Planned,
    moves,
    plan_states,
    support_target,
    timeline,
)
from .tree import Party


def _support_unit(party: Party, member_id: int, reach_id: int) -> int | None:
    """The supporter's deepest current unit inside the proposal's reach (the lowest
    id on a tie), as `climbing.supporter_unit_id` finds it."""
    for branch_id in party.branches_of[member_id]:
        if reach_id in party.ancestors(branch_id):
            return branch_id
    return None


def _reach_id(party: Party, unit_id: int) -> int:
    ids = party.ancestors(unit_id)
    return ids[-2] if len(ids) >= 2 else ids[-1]


def build_proposals(
    party: Party,
    rng: random.Random,
    nrng: np.random.Generator,
    proposals: int,
    closed_polls: int,
) -> tuple[list[Planned], dict[str, int]]:
    default = ensure_default_policy()
    open_policy = (
        Policy.objects.filter(unit=party.open_ballot_unit).order_by("-version").first()
        if party.open_ballot_unit
        else None
    )
    by_level: dict[str, list[int]] = {}
    for unit in party.units.values():
        if len(party.subtree.get(unit.pk, ())) > 0:
            by_level.setdefault(unit.kind, []).append(unit.pk)
    levels = [k for k, _s in LEVEL_SHARES if k in by_level]
    shares = np.array([s for k, s in LEVEL_SHARES if k in by_level])
    first = reserve_ids(Proposal, proposals)
    first_thread = reserve_ids(Thread, proposals)
    states = plan_states(rng, proposals, closed_polls)
    # Two of the counted votes are certain to differ: one at the top (secret
    # ballot), one in the district that votes openly.
    forced: dict[int, int] = {}
    closed_at = [i for i, s in enumerate(states) if s == CLOSED]
    if closed_at:
        forced[closed_at[0]] = party.national.pk
    if len(closed_at) > 1 and party.open_ballot_unit is not None:
        forced[closed_at[1]] = party.open_ballot_unit.pk
    planned: list[Planned] = []
    for i, state in enumerate(states):
        unit_id = forced.get(i)
        if unit_id is None:
            level = levels[int(nrng.choice(len(levels), p=shares / shares.sum()))]
            unit_id = rng.choice(by_level[level])
        pool = party.subtree[unit_id]
        in_open = open_policy is not None and open_policy.unit_id in party.ancestors(
            unit_id
        )
        p = Planned(
            id=first + i,
            thread_id=first_thread + i,
            unit_id=unit_id,
            state=state,
            creator=int(pool[rng.randrange(len(pool))]),
            policy=open_policy if in_open and open_policy else default,
            created=party.now,
        )
        timeline(p, rng, party.now, party.start)
        if "published_at" in p.stamps:
            p.eligible = len(pool)
            p.needed = p.policy.needed(p.eligible)
            p.supports = support_target(p, rng, len(pool))
        planned.append(p)
    counts = _write_proposals(party, rng, planned)
    counts["supports"] = _write_supports(party, nrng, planned)
    return planned, counts


def _write_proposals(
    party: Party, rng: random.Random, planned: list[Planned]
) -> dict[str, int]:
    threads, rows, authors, follows, revisions, topics = [], [], [], [], [], []
    changes, audits = [], []
    topic_ids = [t.pk for t in party.topics]
    for p in planned:
        versions = []
        title = text.title(rng)
        for _n in range(1 + (rng.random() < 0.25) * rng.randint(1, 2)):
            clauses = [text.clause(rng) for _c in range(rng.choice((0, 1, 1, 2, 3, 4)))]
            versions.append((title, text.rationale(rng), clauses))
        title, body, clauses = versions[-1]
        threads.append(
            Thread(
                id=p.thread_id,
                title=title,
                unit_id=p.unit_id,
                kind=ThreadKind.PROPOSAL,
                created_by_id=p.creator,
            )
        )
        st = p.stamps
        rows.append(
            Proposal(
                id=p.id,
                title=title,
                body=body,
                body_html=render_markdown(body),
                clauses=clauses,
                unit_id=p.unit_id,
                policy=p.policy if st else None,
                state=State.VOTING if p.state == CLOSED else p.state,
                thread_id=p.thread_id,
                created_by_id=p.creator,
                revision=len(versions),
                support_count=p.supports,
                support_needed=p.needed,
                eligible_count=p.eligible,
                phase_ends=p.phase_ends,
                created=p.created,
                published_at=st.get("published_at"),
                discussion_started_at=st.get("discussion_started_at"),
                frozen_at=st.get("frozen_at"),
                voting_started_at=st.get("voting_started_at"),
                closed_at=st.get("closed_at"),
            )
        )
        authors.append(
            ProposalAuthor(
                proposal_id=p.id,
                member_id=p.creator,
                is_creator=True,
                invited_at=p.created,
                accepted_at=p.created,
            )
        )
        if rng.random() < 0.2:
            pool = party.subtree[p.unit_id]
            for other in {int(pool[rng.randrange(len(pool))]) for _c in range(2)}:
                if other != p.creator:
                    authors.append(
                        ProposalAuthor(
                            proposal_id=p.id,
                            member_id=other,
                            invited_at=p.created,
                            accepted_at=p.created + timedelta(hours=2),
                        )
                    )
        follows.append(
            Follow(
                member_id=p.creator,
                target_kind=FollowTarget.PROPOSAL,
                target_id=p.id,
            )
        )
        edit_until = st.get("frozen_at") or st.get("closed_at") or party.now
        for n, (v_title, v_body, v_clauses) in enumerate(versions, 1):
            moment = p.created + (edit_until - p.created) * (
                0 if n == 1 else rng.random() * 0.5
            )
            revisions.append(
                Revision(
                    proposal_id=p.id,
                    number=n,
                    title=v_title,
                    body=v_body,
                    clauses=v_clauses,
                    author_id=p.creator,
                    note="" if n == 1 else "Förtydligade att-satserna.",
                    note_code="first" if n == 1 else "",
                    created=moment,
                )
            )
        for topic_id in rng.sample(topic_ids, rng.choice((1, 1, 2))):
            topics.append(Proposal.topics.through(proposal_id=p.id, topic_id=topic_id))
        events = []
        for from_state, to, at, cause in moves(p):
            actor = p.creator if cause == Cause.AUTHOR else None
            changes.append(
                StateChange(
                    proposal_id=p.id,
                    from_state=from_state,
                    to_state=to,
                    at=at,
                    cause=cause,
                    actor_id=actor,
                )
            )
            audits.append(
                AuditEntry(
                    at=at,
                    actor_id=actor,
                    action="proposal.state_changed",
                    unit_id=p.unit_id,
                    target_type="proposals.proposal",
                    target_id=str(p.id),
                    summary=f"#{p.id}: {from_state} → {to} ({cause})",
                    data={"from": from_state, "to": to, "cause": cause},
                )
            )
            events.append(
                (
                    at,
                    "proposal.state_changed",
                    str(p.id),
                    json.dumps(
                        {
                            "from": from_state,
                            "state": to,
                            "at": at.isoformat(),
                            "cause": cause,
                            "phase_ends": None,
                            "support_count": (
                                0
                                if to == State.GATHERING_SUPPORT
                                else p.needed
                                if cause == Cause.SUPPORT
                                else p.supports
                            ),
                            "support_needed": p.needed,
                        }
                    ),
                )
            )
        party.thread_events[p.thread_id] = events
    Thread.objects.bulk_create(threads, batch_size=2000)
    # created is auto_now_add: date each thread like its proposal
    _set_thread_created(planned)
    Proposal.objects.bulk_create(rows, batch_size=1000)
    ProposalAuthor.objects.bulk_create(authors, batch_size=2000)
    Follow.objects.bulk_create(follows, batch_size=2000)
    Revision.objects.bulk_create(revisions, batch_size=2000)
    Proposal.topics.through.objects.bulk_create(topics, batch_size=5000)
    StateChange.objects.bulk_create(changes, batch_size=2000)
    _date_state_changes(planned[0].id)
    AuditEntry.objects.bulk_create(audits, batch_size=2000)
    refresh_search_vector(Proposal.objects.filter(Q(pk__gte=planned[0].id)))
    return {
        "proposals": len(rows),
        "revisions": len(revisions),
        "authors": len(authors),
        "state changes": len(changes),
    }


def _set_thread_created(planned: list[Planned]) -> None:
    execute(
        """UPDATE discussions_thread t SET created = v.created
           FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, created)
           WHERE t.id = v.id""",
        [[p.thread_id for p in planned], [p.created for p in planned]],
    )


def _date_state_changes(first_id: int) -> None:
    """`recorded` is auto_now_add: a filled move was recorded when it happened."""
    execute(
        "UPDATE proposals_statechange SET recorded = at WHERE proposal_id >= %s",
        [first_id],
    )


def _write_supports(
    party: Party, nrng: np.random.Generator, planned: list[Planned]
) -> int:
    def rows():
        for p in planned:
            if not p.supports:
                continue
            pool = party.subtree[p.unit_id]
            members = nrng.choice(pool, size=p.supports, replace=False).tolist()
            st = p.stamps
            start = st["published_at"]
            quorum_at = st.get("discussion_started_at")
            end = st.get("frozen_at") or st.get("closed_at") or party.now
            reach = _reach_id(party, p.unit_id)
            spans = nrng.random(p.supports)
            for n, member_id in enumerate(members):
                if quorum_at is not None and n < p.needed:
                    at = start + (quorum_at - start) * float(spans[n])
                elif quorum_at is not None:
                    at = quorum_at + (end - quorum_at) * float(spans[n])
                else:
                    at = start + (end - start) * float(spans[n])
                yield (p.id, member_id, _support_unit(party, member_id, reach), at)

    with bulk_load(Support):
        return copy_rows(
            Support, ["proposal_id", "member_id", "unit_id", "created"], rows()
        )
