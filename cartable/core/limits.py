"""One limiter for every secret: passwords, app passwords, link passwords, codes, API keys.

Each kind of secret has its rates in ``settings.SECRET_RATE_LIMITS``, written as allauth
writes its own: ``"5/5m/key,300/10m/ip"``, where ``key`` counts per account, link or code
tried, and ``ip`` per address block (/24 in IPv4, /64 in IPv6: see :mod:`cartable.core.net`).

Usage, wherever a secret is checked::

    attempt = limits.check_attempt("link_password", key=str(link.pk), request=request)
    if check_password(given, link.password):
        attempt.succeeded()

:func:`check_attempt` takes a slot in every counter *before* the secret is checked, so that
a burst of parallel guesses cannot slip between a check and a count; a success gives its
slots back, so that only failures count. Over the limit it raises :class:`Limited` and the
secret is not looked at: the right one is refused too until the window has passed (else
the limit would not stop a guesser, who would only need to notice the right answer).

Counters live in the ``limits`` cache: local memory in the embedded mode (one process),
Redis when scaled out, shared by every server. Each is a number per fixed window, taken
with an atomic increment (Redis ``INCR``; the local-memory cache holds a lock); the count
is the current window plus the previous one, weighted by how much of it still overlaps
the sliding window ("sliding window counter"), so that a guesser gains nothing by waiting
for a window to turn. See docs/security/limits.md.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import ngettext

from cartable.core.net import address_block, client_ip

# Tests give each test its own namespace: counters of one test never reach another.
NAMESPACE = "limits"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str  # "key" or "ip"

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.per}"


def parse_rates(text: str) -> list[Rate]:
    """``"5/5m/key,300/10m/ip"``: allauth's syntax (a period without a number is one unit)."""
    rates = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        pieces = part.split("/")
        if len(pieces) != 3 or pieces[2] not in ("key", "ip"):
            raise ImproperlyConfigured(f"{part!r} is not a rate like 5/5m/key or 300/10m/ip")
        amount, period, per = pieces
        unit = _UNITS.get(period[-1:])
        if unit is None or not amount.isdigit() or not (period[:-1] or "1").isdigit():
            raise ImproperlyConfigured(f"{part!r} is not a rate like 5/5m/key or 300/10m/ip")
        rates.append(Rate(int(amount), int(period[:-1] or 1) * unit, per))
    return rates


def rates_for(kind: str) -> list[Rate]:
    configured = settings.SECRET_RATE_LIMITS
    if kind not in configured:
        raise ImproperlyConfigured(f"SECRET_RATE_LIMITS has no entry for {kind!r}")
    return parse_rates(configured[kind])


class Limited(Exception):
    """Too many failed attempts: refuse without looking at the secret."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(f"too many failed attempts at {kind}")
        self.kind = kind
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


@dataclass
class Attempt:
    """The slots an attempt took; :meth:`succeeded` gives them back."""

    taken: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        for name in self.taken:
            _give_back(name)
        self.taken = []


def _cache() -> BaseCache:
    return caches["limits"]


def _subject(rate: Rate, key: str, address: str | None) -> str:
    if rate.per == "key":
        return key
    return address_block(address) if address else ""


def _counter(kind: str, rate: Rate, subject: str) -> str:
    # Keyed with the secret key: account names and addresses do not sit in Redis in clear.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}\x00{subject}".encode(), hashlib.sha256
    ).hexdigest()[:40]
    return f"{NAMESPACE}:{kind}:{rate}:{digest}"


def _increment(name: str, timeout: int) -> int:
    cache = _cache()
    cache.add(name, 0, timeout)
    try:
        count = int(cache.incr(name))
    except ValueError:
        # Gone between add and incr (expired, or evicted): this attempt starts it again.
        cache.set(name, 1, timeout)
        return 1
    if count == 1:
        # Django's Redis incr checks EXISTS then INCRs: a key that expired in between is made
        # again by INCR, without an expiry. Setting it here keeps it from staying forever.
        cache.touch(name, timeout)
    return count


def _give_back(name: str) -> None:
    cache = _cache()
    try:
        left = int(cache.decr(name))
    except ValueError:
        return  # The window is over: nothing to give back.
    if left < 0:
        # Made again by DECR just after it expired (see _increment): not a count.
        cache.delete(name)


def _windows(rate: Rate, now: float) -> tuple[int, float]:
    """The current window's number and the weight of the previous one (1 at its end, 0 a
    whole window later)."""
    index = int(now // rate.seconds)
    return index, 1.0 - (now - index * rate.seconds) / rate.seconds


def check_attempt(
    kind: str, *, key: str = "", request: HttpRequest | None = None, address: str | None = None
) -> Attempt:
    """Counts one attempt at a secret of ``kind`` for ``key`` (the account, link or code
    tried) and the address block of ``request`` (or ``address``); raises :class:`Limited`
    when over a limit, having counted nothing. Call ``succeeded()`` on the answer when the
    secret was right."""
    if address is None and request is not None:
        address = client_ip(request)
    now = time.time()
    attempt = Attempt()
    for rate in rates_for(kind):
        subject = _subject(rate, key, address)
        if not subject:
            continue
        base = _counter(kind, rate, subject)
        index, weight = _windows(rate, now)
        name = f"{base}:{index}"
        count = _increment(name, 2 * rate.seconds)
        previous = int(_cache().get(f"{base}:{index - 1}") or 0)
        if previous * weight + count > rate.amount:
            _give_back(name)
            attempt.succeeded()
            raise Limited(kind, rate.seconds)
        attempt.taken.append(name)
    return attempt


def check_not_limited(
    kind: str, *, key: str = "", request: HttpRequest | None = None, address: str | None = None
) -> None:
    """Raises :class:`Limited` where :func:`check_attempt` would; counts nothing (one cache
    round trip). For a path that accepts an already verified secret without checking it
    again (WebDAV's remembered app passwords): it must still be refused while limited."""
    if address is None and request is not None:
        address = client_ip(request)
    now = time.time()
    wanted: list[tuple[Rate, str, str, float]] = []
    for rate in rates_for(kind):
        subject = _subject(rate, key, address)
        if subject:
            base = _counter(kind, rate, subject)
            index, weight = _windows(rate, now)
            wanted.append((rate, f"{base}:{index}", f"{base}:{index - 1}", weight))
    if not wanted:
        return
    found = _cache().get_many([n for _r, cur, prev, _w in wanted for n in (cur, prev)])
    for rate, current, previous, weight in wanted:
        if int(found.get(previous) or 0) * weight + int(found.get(current) or 0) + 1 > rate.amount:
            raise Limited(kind, rate.seconds)


def note_refusal(request: HttpRequest | None, refusal: Limited) -> None:
    """Keeps the refusal on the request, for a form that only sees "no user" to say why."""
    if request is not None:
        # HttpRequest does not declare it: an attribute of Cartable's own, read by refusal_of.
        request.cartable_limited = refusal  # type: ignore[attr-defined]


def refusal_of(request: HttpRequest | None) -> Limited | None:
    return getattr(request, "cartable_limited", None)
