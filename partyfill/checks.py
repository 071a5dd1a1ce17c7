"""Every stored counter against the rows it counts, and the invariants the services
keep, as set-based SQL over the whole database (seconds at party scale). Each check
returns how many rows break it; the fill commits only when all are zero. Usable on
any Torget database: `manage.py fill_party --check-only`."""

from __future__ import annotations

from voting.models import Poll, PollState
from voting.verify import verify_poll

from .copying import fetch

CHECKS: dict[str, str] = {
    "thread comment_count = its comments": """
        SELECT count(*) FROM discussions_thread t
        LEFT JOIN (SELECT thread_id, count(*) n FROM discussions_comment
                   GROUP BY thread_id) c ON c.thread_id = t.id
        WHERE t.comment_count <> coalesce(c.n, 0)""",
    "thread last_seq = its last event, events numbered 1..n": """
        SELECT count(*) FROM discussions_thread t
        LEFT JOIN (SELECT thread_id, count(*) n, max(seq) top
                   FROM discussions_threadevent GROUP BY thread_id) e
               ON e.thread_id = t.id
        WHERE t.last_seq <> coalesce(e.top, 0) OR coalesce(e.n, 0) <> t.last_seq""",
    "comment seq = its comment.created event": """
        SELECT count(*) FROM discussions_comment c
        LEFT JOIN discussions_threadevent e
               ON e.thread_id = c.thread_id AND e.seq = c.seq
        WHERE e.id IS NULL OR e.type <> 'comment.created'
           OR e.object_id <> c.id::text""",
    "comment reaction_total and reaction_counts = its reactions": """
        SELECT count(*) FROM discussions_comment c
        LEFT JOIN (SELECT comment_id, sum(n) total, jsonb_object_agg(kind, n) kinds
                   FROM (SELECT comment_id, kind, count(*) n
                         FROM discussions_reaction GROUP BY 1, 2) k
                   GROUP BY comment_id) r ON r.comment_id = c.id
        WHERE c.reaction_total <> coalesce(r.total, 0)
           OR coalesce(c.reaction_counts, '{}'::jsonb)
              <> coalesce(r.kinds, '{}'::jsonb)""",
    "reply in its parent's thread, root and depth right": """
        SELECT count(*) FROM discussions_comment c
        LEFT JOIN discussions_comment p ON p.id = c.parent_id
        WHERE (c.parent_id IS NULL AND (c.root_id IS NOT NULL OR c.depth <> 0))
           OR (c.parent_id IS NOT NULL AND (
                p.thread_id <> c.thread_id OR c.depth <> p.depth + 1
                OR c.root_id <> coalesce(p.root_id, p.id)))""",
    "every comment has its search vector": """
        SELECT count(*) FROM discussions_comment c
        LEFT JOIN discussions_commentsearch s ON s.comment_id = c.id
        WHERE s.comment_id IS NULL""",
    "proposal support_count = its supports": """
        SELECT count(*) FROM proposals_proposal p
        LEFT JOIN (SELECT proposal_id, count(*) n FROM proposals_support
                   GROUP BY proposal_id) s ON s.proposal_id = p.id
        WHERE p.support_count <> coalesce(s.n, 0)""",
    "proposal past the quorum has it": """
        SELECT count(*) FROM proposals_proposal
        WHERE discussion_started_at IS NOT NULL
          AND alternative_to_id IS NULL AND support_count < support_needed""",
    "proposal revision = its last revision": """
        SELECT count(*) FROM proposals_proposal p
        LEFT JOIN (SELECT proposal_id, max(number) top, count(*) n
                   FROM proposals_revision GROUP BY proposal_id) r
               ON r.proposal_id = p.id
        WHERE p.revision <> coalesce(r.top, 0) OR r.n <> p.revision""",
    "published proposal has its publication recorded": """
        SELECT count(*) FROM proposals_proposal p
        WHERE p.published_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM proposals_statechange s
            WHERE s.proposal_id = p.id AND s.to_state = 'gathering_support')""",
    "supporter is a member of the proposal's reach": """
        SELECT count(*) FROM proposals_support s
        JOIN proposals_proposal p ON p.id = s.proposal_id
        JOIN members_unit pu ON pu.id = p.unit_id
        LEFT JOIN members_unit su ON su.id = s.unit_id
        WHERE su.id IS NULL OR NOT su.path LIKE (
            CASE WHEN pu.parent_id IS NULL THEN pu.path
                 ELSE substring(pu.path from '^(.*/)[0-9]+/$') END) || '%%'""",
    "proposal in the vote has its poll": """
        SELECT count(*) FROM proposals_proposal p
        WHERE p.state = 'voting' AND NOT EXISTS (
            SELECT 1 FROM voting_poll_proposals pp WHERE pp.proposal_id = p.id)""",
    "adopted or rejected proposal has a counted poll": """
        SELECT count(*) FROM proposals_proposal p
        WHERE p.state IN ('adopted', 'rejected') AND p.kind = 'ordinary'
          AND NOT EXISTS (
            SELECT 1 FROM voting_poll_proposals pp
            JOIN voting_result r ON r.poll_id = pp.poll_id
            WHERE pp.proposal_id = p.id)""",
    "closed poll: result, bulletin = participations, no sealed ballot left": """
        SELECT count(*) FROM voting_poll o
        LEFT JOIN voting_result r ON r.poll_id = o.id
        WHERE o.state = 'closed' AND (
            r.poll_id IS NULL OR o.bulletin_published_at IS NULL
            OR o.seal_salt IS NOT NULL
            OR r.ballots <> (SELECT count(*) FROM voting_participation x
                             WHERE x.poll_id = o.id)
            OR r.ballots <> (SELECT count(*) FROM voting_bulletinballot b
                             WHERE b.poll_id = o.id)
            OR EXISTS (SELECT 1 FROM voting_pendingballot b WHERE b.poll_id = o.id))""",
    "open poll: one ballot per participation": """
        SELECT count(*) FROM voting_poll o
        WHERE o.state = 'open' AND (SELECT count(*) FROM voting_participation x
                                     WHERE x.poll_id = o.id)
            <> (SELECT count(*) FROM voting_pendingballot b WHERE b.poll_id = o.id)
             + (SELECT count(*) FROM voting_openballot b WHERE b.poll_id = o.id)""",
    "poll eligible_count = its voter roll": """
        SELECT count(*) FROM voting_poll o
        WHERE o.eligible_count <> (SELECT count(*) FROM voting_voterroll v
                                    WHERE v.poll_id = o.id)""",
}


def run_checks(*, recount_polls: int = 20) -> dict[str, int]:
    """Name → rows that break it (0 everywhere is a consistent database). The last
    `recount_polls` closed polls are also recounted from their public bulletin
    (`voting.verify.verify_poll`, what `manage.py verify_poll` runs)."""
    problems = {name: int(fetch(sql)[0][0]) for name, sql in CHECKS.items()}
    closed = Poll.objects.filter(state=PollState.CLOSED).order_by("-id")
    failed = 0
    for poll in closed[:recount_polls]:
        if not verify_poll(poll).ok:
            failed += 1
    problems["closed poll recounts from its bulletin"] = failed
    return problems
