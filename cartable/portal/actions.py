from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts.models import User
from cartable.core import audit
from cartable.core.notifications import notify
from cartable.portal.models import Contribution


@transaction.atomic
def send_contribution(author: User, *, title: str, body: str, topic: str) -> Contribution:
    academy = author.structure.academy if author.structure is not None else None
    return Contribution.objects.create(
        author=author, academy=academy, title=title.strip()[:200], body=body.strip(), topic=topic
    )


@transaction.atomic
def answer_contribution(
    contribution: Contribution, *, by: User, status: str, answer: str
) -> Contribution:
    if not by.is_superuser:
        raise PermissionDenied(_("Only administrators triage contributions."))
    contribution.status = status
    if answer.strip() and answer.strip() != contribution.answer:
        contribution.answer = answer.strip()
        contribution.answered_at = timezone.now()
        contribution.answered_by = by
    contribution.save()
    audit.record(by, "contribution.triage", contribution.title, status=status)
    if contribution.author_id and contribution.answer:
        notify(
            contribution.author,
            "contribution.answered",
            _("Your suggestion “%(title)s” has an answer") % {"title": contribution.title},
            url=reverse("portal:contributions") + f"#c-{contribution.public_id}",
        )
    return contribution
