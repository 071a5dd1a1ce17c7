"""Party-scale data for load tests and capacity figures (`manage.py fill_party`):
100,000 members in a unit tree, 10,000 proposals in every state, 1,000,000 comments
and closed polls, written with PostgreSQL COPY where the tables are big and through
the real services where the app's own logic decides (units, roles, policies, opening
and closing polls). See README "Party-scale data" and docs/deploy.md.

    runner.py     sizes, the steps in order, timings
    copying.py    COPY and id reservation (PostgreSQL only)
    text.py       names, places and Swedish-ish text from fixed word lists
    tree.py       units, members, memberships, roles, topics, policies
    plan.py       each proposal's state, unit, dates, quorum and moves, planned
    proposals.py  proposals, authors, revisions, topics, supports, state history
    comments.py   threads' comments, replies, reactions and their events
    polls.py      proposal polls opened, voted and closed by the voting services
    checks.py     every counter against the rows it counts

This app sits above proposals, voting and discussions (like congress and frontend)
and nothing imports it."""
