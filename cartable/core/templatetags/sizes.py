"""Sizes as disks, quotas and the Nextcloud apps count them: decimal units (1 MB = 10⁶ bytes).

Django's ``filesizeformat`` counts in 1024s, so a 100 GB quota would read "93,1 Gio".
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def size(value: object) -> str:
    try:
        n = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if n < 1000:
        count = int(n)
        return ngettext("%(n)s byte", "%(n)s bytes", count) % {"n": count}
    units = [gettext("kB"), gettext("MB"), gettext("GB"), gettext("TB")]
    for unit in units:
        n /= 1000
        if n < 1000 or unit == units[-1]:
            return f"{number_format(round(n, 1), 1 if n < 100 else 0)}\u00a0{unit}"
    return ""
