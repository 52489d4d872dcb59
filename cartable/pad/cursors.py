"""Whose cursor is whose: the awareness client id each connection of a room holds.

A connection holds one client id, the first it announces with a state, and may update or remove
that one only: nobody can move, rename or erase another person's cursor, and a connection makes
the room keep one small state at most (``protocol.MAX_AWARENESS_STATE``). Entries for other ids
are dropped, not refused: standard clients echo the states they receive (y-websocket does).
"""

from __future__ import annotations

from typing import Protocol

from cartable.pad import protocol
from cartable.pad.protocol import AwarenessEntry


class Holder(Protocol):
    """What a room's connection is to this module."""

    author_pk: int | None
    awareness_id: int | None


# A client id's holder: a connection of this process (None: of another one), and its author.
Owner = tuple[Holder | None, int | None]


class Cursors:
    def __init__(self) -> None:
        self._owners: dict[int, Owner] = {}

    def own(self, connection: Holder, entries: list[AwarenessEntry]) -> list[AwarenessEntry]:
        """The entries for ``connection``'s own client id, which it claims with the first it
        announces with a state, unless someone else holds that id. Raises ``TooLarge`` for a
        state over the limit."""
        own = []
        for entry in entries:
            owner = self._owners.get(entry.client_id)
            if owner is None or owner[0] is not connection:
                if (
                    connection.awareness_id is not None
                    or entry.state == "null"
                    or not _may_claim(connection, owner)
                ):
                    continue
                self._owners[entry.client_id] = (connection, connection.author_pk)
                connection.awareness_id = entry.client_id
            if len(entry.state.encode()) > protocol.MAX_AWARENESS_STATE:
                raise protocol.TooLarge(f"a cursor state of {len(entry.state)} characters")
            own.append(entry)
        return own

    def release(self, connection: Holder) -> int | None:
        """The client id ``connection`` held as it leaves, now free; None if it held none (or
        its writer's new connection took it over)."""
        client_id = connection.awareness_id
        if client_id is None:
            return None
        owner = self._owners.get(client_id)
        if owner is None or owner[0] is not connection:
            return None
        del self._owners[client_id]
        return client_id

    def remote(self, entries: list[AwarenessEntry], author: int | None) -> None:
        """Entries of a connection of another process, which checked them: their client ids
        are taken, until it removes them."""
        for entry in entries:
            owner = self._owners.get(entry.client_id)
            if owner is not None and owner[0] is not None:
                continue  # a connection here holds it, and keeps it
            if entry.state == "null":
                self._owners.pop(entry.client_id, None)
            else:
                self._owners[entry.client_id] = (None, author)


def _may_claim(connection: Holder, owner: Owner | None) -> bool:
    """Whether ``connection`` may take a client id held by ``owner``: a free one, or its own
    writer's (a browser reconnecting before the server saw its old connection go)."""
    if owner is None:
        return True
    return connection.author_pk is not None and owner[1] == connection.author_pk
