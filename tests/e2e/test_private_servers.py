"""The private servers of the fault tests keep their promises: PostgreSQL keeps its
rows through a fast restart and a kill, on the same port; Redis comes back empty on
the same port; a clone is a migrated Torget database."""

from __future__ import annotations

import pytest
import redis

from tests.e2e.private_servers import PrivatePostgres

pytestmark = pytest.mark.e2e


def test_postgres_keeps_rows_through_restart_and_kill(private_postgres):
    pg: PrivatePostgres = private_postgres
    pg.create_database("probe")
    pg.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (1)", "probe")
    port = pg.port
    pg.restart()
    pg.psql("INSERT INTO t VALUES (2)", "probe")
    pg.kill()
    assert not pg.alive()
    with pytest.raises(RuntimeError):
        pg.psql("SELECT 1", "probe")
    pg.start()
    assert pg.port == port
    assert (
        pg.psql("SELECT string_agg(x::text, ',' ORDER BY x) FROM t", "probe") == "1,2"
    )


def test_clone_is_a_migrated_database(private_postgres, private_database):
    tables = private_postgres.psql(
        "SELECT count(*) FROM django_migrations WHERE app = 'notifications'", "torget"
    )
    assert int(tables) > 0
    assert private_database == private_postgres.url("torget")


def test_redis_restart_is_empty_on_the_same_port(private_redis):
    client = redis.Redis.from_url(private_redis.url(2))
    client.set("k", "v")
    private_redis.restart()
    client = redis.Redis.from_url(private_redis.url(2))
    assert client.get("k") is None
    assert client.ping()
