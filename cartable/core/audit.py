from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from cartable.core.models import AuditEntry
from cartable.core.net import client_ip

if TYPE_CHECKING:
    from cartable.core.types import Visitor


def record(
    actor: Visitor | None,
    action: str,
    target: object = "",
    *,
    request: HttpRequest | None = None,
    **data: Any,
) -> None:
    """Append one entry to the audit log (in the caller's transaction)."""
    account = None if actor is None or isinstance(actor, AnonymousUser) else actor
    AuditEntry.objects.create(
        actor=account,
        actor_label=(account.email or account.username) if account is not None else "",
        action=action,
        target=str(target)[:254],
        ip=client_ip(request) if request is not None else None,
        data=data,
    )
