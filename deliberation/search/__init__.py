"""One search over everything members can read (docs/search.md).

The core knows no kinds of object: each app registers a provider for its kinds in
`AppConfig.ready` (`registry.register_search_provider`), the way thread subjects and
follow targets are registered. `engine.search` asks every provider for the rows the
viewer may read that match, ranks them together in one SQL UNION, and hydrates one
page (one query per kind on the page).
"""
