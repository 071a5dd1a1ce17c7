"""COPY into PostgreSQL, and ids reserved ahead so that rows written by COPY can
point at each other (a reply at its parent, a reaction at its comment)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return model._meta.db_table


def reserve_ids(model: type[models.Model], n: int) -> int:
    """The first of `n` consecutive ids: the table's sequence is moved past them
    (the fill expects no other writer meanwhile: it refuses a database with data)."""
    if n <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table(model)])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, int(first) + n - 1])
    return int(first)


def copy_rows(
    model: type[models.Model] | str, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """COPY `rows` (tuples in `columns` order) into the model's table; returns how
    many were written. Values are Python objects (psycopg adapts dates, bytes, ...);
    JSON columns take a JSON string."""
    name = model if isinstance(model, str) else table(model)
    cols = ", ".join(f'"{c}"' for c in columns)
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


def execute(sql: str, params: Sequence | dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params: Sequence | dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def bulk_load(*models: type[models.Model], triggers: Sequence[str] = ()):
    """Load big tables the way pg_restore does: their secondary indexes, unique and
    foreign-key constraints are dropped for the COPY and built again afterwards —
    one sort per index and one join per foreign key instead of a lookup per row.
    The primary key stays (other tables point at it). `triggers` ("table.name") are
    disabled meanwhile; the caller does their work in bulk. All of it is DDL inside
    the fill's transaction: a failure rolls the definitions back with the rows.
    Recreated constraints are validated, so a bad row still fails the fill."""
    tables = [table(m) for m in models]
    constraints = fetch(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
           FROM pg_constraint c
           WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')""",
        [tables],
    )
    indexes = fetch(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = i.indexrelid
                               AND c.contype IN ('u', 'p'))""",
        [tables],
    )
    # run the checks deferred so far (ALTER TABLE refuses a table with pending ones)
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, constraint, _definition in constraints:
        execute(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"')
    for index, _definition in indexes:
        execute(f"DROP INDEX {index}")
    for trigger in triggers:
        name, trig = trigger.split(".")
        execute(f'ALTER TABLE "{name}" DISABLE TRIGGER "{trig}"')
    yield
    for trigger in triggers:
        name, trig = trigger.split(".")
        execute(f'ALTER TABLE "{name}" ENABLE TRIGGER "{trig}"')
    for _index, definition in indexes:
        execute(definition)
    # unique constraints first: a foreign key may need one
    for name, constraint, definition in sorted(
        constraints, key=lambda c: c[2].startswith("FOREIGN")
    ):
        execute(f'ALTER TABLE {name} ADD CONSTRAINT "{constraint}" {definition}')
    execute("SET CONSTRAINTS ALL DEFERRED")
