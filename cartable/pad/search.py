"""Pads in the platform's search: their title and text, indexed as they change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import User
from cartable.core.permissions import visible
from cartable.core.search import IndexedProvider
from cartable.pad.models import Pad


class PadSearch(IndexedProvider):
    key = "pad"
    label = _("Pads")
    kind = _("Pad")

    def visible_keys(self, user: User, keys: list[str]) -> set[str]:
        pks = [int(k) for k in keys if k.isdigit()]
        return {
            str(pk)
            for pk in visible(user, Pad.objects.filter(pk__in=pks)).values_list("pk", flat=True)
        }


pad_search = PadSearch()


def index_pad(pad: Pad) -> None:
    pad_search.index(
        pad.pk,
        title=pad.display_title,
        body=pad.text,
        url=pad.get_absolute_url(),
        owner_id=pad.owner_id,
    )
