from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cartable.core.models import AuditEntry
from cartable.core.net import client_ip


def record(
    actor: Any, action: str, target: Any = "", *, request: HttpRequest | None = None, **data: Any
) -> None:
    """Append one entry to the audit log (in the caller's transaction)."""
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    AuditEntry.objects.create(
        actor=actor if signed_in else None,
        actor_label=(getattr(actor, "email", "") or getattr(actor, "username", ""))
        if signed_in
        else "",
        action=action,
        target=str(target)[:254],
        ip=client_ip(request) if request is not None else None,
        data=data,
    )
