"""Dead properties: what WebDAV clients store on files and folders with PROPPATCH.

Only WebDAV has them, so their one change function lives here rather than in the actions.
"""

from __future__ import annotations

from django.db import transaction

from cartable.accounts.models import User
from cartable.drive.models import DeadProperty, Node
from cartable.drive.webdav.davxml import PropChange


@transaction.atomic
def apply(node: Node, changes: list[PropChange], *, by: User) -> None:
    """Sets and removes properties in order, all or none (RFC 4918 §9.2)."""
    for change in changes:
        namespace, name = change.name
        if change.remove:
            DeadProperty.objects.filter(node=node, namespace=namespace, name=name).delete()
        else:
            DeadProperty.objects.update_or_create(
                node=node, namespace=namespace, name=name, defaults={"value": change.xml}
            )


def copy(source: Node, target: Node) -> None:
    DeadProperty.objects.bulk_create(
        [
            DeadProperty(node=target, namespace=p.namespace, name=p.name, value=p.value)
            for p in DeadProperty.objects.filter(node=source)
        ]
    )
