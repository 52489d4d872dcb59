# Table and column names in these statements come from the models' metadata, quoted by the
# backend; every value is a parameter.
# ruff: noqa: S608
"""Hand-written SQL for the statements of a file write (the hot path of small uploads).

Django's ORM compiles every statement anew: on the benchmark machine that is 0.3–0.5 ms of
Python for each of the half-dozen statements a small PUT makes, more than SQLite spends
running them (see ``docs/decisions/0011-drive-dav-performance.md``). The statements here are
built once per process and run through ``connection.cursor()`` with ``%s`` parameters, so
they work unchanged on SQLite (≥ 3.35, for ``RETURNING``) and PostgreSQL.

They keep the ORM's semantics: :func:`insert` takes a model instance built the usual way
(field defaults applied by ``Model.__init__``), lets each field prepare its value as
``Model.save`` would (``auto_now``, JSON, UUIDs, dates), and sets the primary key from
``RETURNING``. What it cannot reproduce — a receiver of the save signals, a database default,
a ``save()`` of the model's own other than ``Node.save`` (copied in :func:`insert_node`) —
sends the row through ``Model.save`` instead (:func:`reproducible`); the tests in
``drive/tests/test_fastpath.py`` fail when one of the models written here gains one, so that
the fast path is not lost unnoticed either.

This module and ``cartable/pad/frames.py`` are the only ones that lean on a library's internals
for speed; Django and uvicorn are pinned to the versions they are tested on (pyproject.toml).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, models
from django.db.models import NOT_PROVIDED, QuerySet, signals
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

from cartable.drive.models import Node, Space, hash_path, new_etag

DB = "default"


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    del vendor  # part of the key: the quoting differs
    ops = connections[DB].ops
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES ({values}) "  # nosec B608
        f"RETURNING {ops.quote_name(meta.pk.column)}"
    )
    return sql, fields


# Models whose own ``save()`` this module copies: Node.save sets ``path_hash`` (insert_node).
_SAVE_COPIED: dict[type[models.Model], str] = {Node: "path_hash = hash_path(path)"}


@cache
def _no_database_default(model: type[models.Model]) -> bool:
    return all(
        getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED for f in model._meta.concrete_fields
    )


def reproducible(model: type[models.Model]) -> bool:
    """Whether :func:`insert` writes what ``Model.save`` would for a new ``model`` row."""
    own_save = model.save is not models.Model.save and model not in _SAVE_COPIED
    return not (
        own_save
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or not _no_database_default(model)
    )


def insert(obj: models.Model) -> None:
    """``obj.save()`` for a new row with an automatic primary key, in one statement."""
    if not reproducible(type(obj)):
        obj.save(force_insert=True)
        return
    connection = connections[DB]
    sql, fields = _insert_sql(type(obj), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = DB


def insert_node(node: Node) -> None:
    node.path_hash = hash_path(node.path)  # as Node.save does (_SAVE_COPIED)
    insert(node)


def _table(model: type[models.Model]) -> str:
    return connections[DB].ops.quote_name(model._meta.db_table)


def lock_space(space: Space) -> None:
    """Reads the space's ``used`` and ``quota`` again into ``space``, locking its row until
    the end of the transaction where the database can (``select_for_update``)."""
    connection = connections[DB]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT used, quota FROM {_table(type(space))} WHERE id = %s{lock}",  # nosec B608
            [space.pk],
        )
        space.used, space.quota = cursor.fetchone()


def live_id(space_id: int, path: str) -> int | None:
    """The id of the live node at ``path`` in the space, locked as ``lock_space`` does."""
    connection = connections[DB]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {_table(Node)} WHERE space_id = %s AND trashed = %s "  # nosec B608
            f"AND path_hash = %s ORDER BY id LIMIT 1{lock}",
            [space_id, False, hash_path(path)],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def add_used(space: Space, delta: int) -> None:
    """``Space.used += delta`` in the database."""
    with connections[DB].cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(type(space))} SET used = used + %s WHERE id = %s",  # nosec B608
            [delta, space.pk],
        )


def touch(space_id: int, paths: Iterable[str], delta: int, now: datetime) -> None:
    """``base._touch``: the live folders at ``paths`` get a new ETag and ``delta`` more bytes."""
    hashes = [hash_path(p) for p in paths]
    if not hashes:
        return
    connection = connections[DB]
    marks = ", ".join(["%s"] * len(hashes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Node)} SET etag = %s, size = size + %s, updated_at = %s "  # nosec B608
            f"WHERE space_id = %s AND trashed = %s AND path_hash IN ({marks})",
            [
                new_etag(),
                delta,
                connection.ops.adapt_datetimefield_value(now),
                space_id,
                False,
                *hashes,
            ],
        )


class Prepared:
    """A query of a fixed shape, compiled once per thread and run again with new values.

    ``build(*args)`` makes the queryset; its arguments are the values that change (ints,
    strings, or lists of them: a list's length is part of the shape). The queryset is
    compiled once with stand-in values, whose places among the statement's parameters are
    noted; each call puts the real values there and turns rows into instances as the ORM
    does (``select_related`` included). If a stand-in cannot be found exactly once, the
    queryset is simply evaluated each time.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self.build = build
        self._local = threading.local()

    def __call__(self, *args: Any) -> list[Any]:
        shape = tuple(len(a) if isinstance(a, list) else -1 for a in args)
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = {}
        plan = compiled.get(shape)
        if plan is None:
            plan = compiled[shape] = self._compile(args)
        if plan is False:
            return list(self.build(*args))
        sql, slots, compiler = plan
        params = [
            args[s[0]] if s[1] < 0 else args[s[0]][s[1]] if isinstance(s, tuple) else s.value
            for s in slots
        ]
        connection = connections[DB]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _instances(compiler, rows)

    def _compile(self, args: tuple[Any, ...]) -> Any:
        stand_ins: dict[Any, tuple[int, int]] = {}
        fake: list[Any] = []
        for i, arg in enumerate(args):
            values = arg if isinstance(arg, list) else [arg]
            made = []
            for j, value in enumerate(values):
                n = len(stand_ins) + 1
                token: Any = -(7_000_000_000 + n) if isinstance(value, int) else f"\x01{n}\x02"
                stand_ins[token] = (i, j if isinstance(arg, list) else -1)
                made.append(token)
            fake.append(made if isinstance(arg, list) else made[0])
        compiler = self.build(*fake).query.get_compiler(using=DB)
        sql, params = compiler.as_sql()
        slots: list[Any] = []
        seen: set[Any] = set()
        for param in params:
            if isinstance(param, int | str) and not isinstance(param, bool) and param in stand_ins:
                if param in seen:
                    return False
                seen.add(param)
                slots.append(stand_ins[param])
            else:
                slots.append(_Constant(param))
        if len(seen) != len(stand_ins) or compiler.annotation_col_map:
            return False
        return sql, slots, compiler


@dataclass(frozen=True)
class _Constant:
    value: Any


def _instances(compiler: Any, rows: list[Any]) -> list[Any]:
    """Model instances from ``rows``, as ``django.db.models.query.ModelIterable`` makes them."""
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, DB)
    found = []
    for row in compiler.results_iter([rows]):
        obj = model.from_db(DB, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        found.append(obj)
    return found
