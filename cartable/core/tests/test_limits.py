"""The one limiter for every secret (cartable.core.limits), on local memory and on Redis."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from cartable.core import limits


@pytest.fixture(autouse=True)
def _rates(settings):
    settings.SECRET_RATE_LIMITS = {
        **settings.SECRET_RATE_LIMITS,
        "test": "5/5m/key,8/10m/ip",
        "daily": "5/1d/key",
    }


def _fail(kind="test", key="lea", address="203.0.113.7"):
    limits.check_attempt(kind, key=key, address=address)


def test_rates_are_parsed_like_allauths():
    assert limits.parse_rates("5/5m/key, 300/10m/ip,1/s/ip") == [
        limits.Rate(5, 300, "key"),
        limits.Rate(300, 600, "ip"),
        limits.Rate(1, 1, "ip"),
    ]
    for wrong in ("5/5m", "5/5x/key", "five/5m/key", "5/5m/user"):
        with pytest.raises(ImproperlyConfigured):
            limits.parse_rates(wrong)


def test_the_sixth_failure_is_refused_and_the_right_secret_with_it():
    for _ in range(5):
        _fail()
    with pytest.raises(limits.Limited) as refused:
        limits.check_attempt("test", key="lea", address="203.0.113.7")
    assert refused.value.retry_after == 300
    assert "5 minutes" in refused.value.message
    # Another account from another address is not concerned.
    limits.check_attempt("test", key="tom", address="198.51.100.1")


def test_successes_give_their_slots_back():
    for _ in range(20):
        limits.check_attempt("test", key="lea", address="203.0.113.7").succeeded()
    for _ in range(5):
        _fail()


def test_an_address_block_is_limited_whatever_accounts_it_tries():
    for n in range(8):
        _fail(key=f"user{n}", address=f"203.0.113.{n}")
    with pytest.raises(limits.Limited):
        _fail(key="someone-else", address="203.0.113.200")
    # The next block is free.
    _fail(key="someone-else", address="203.0.114.1")


def test_ipv6_addresses_are_counted_by_64_block():
    for n in range(8):
        _fail(key=f"user{n}", address=f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(limits.Limited):
        _fail(key="other", address="2001:db8:1:2:ffff::1")
    _fail(key="other", address="2001:db8:1:3::1")


def test_refused_attempts_do_not_make_the_wait_longer():
    for _ in range(5):
        _fail()
    for _ in range(50):
        with pytest.raises(limits.Limited):
            _fail()
    with pytest.raises(limits.Limited):
        _fail()
    # Nothing was counted for the address either: another account from it still has room.
    _fail(key="tom")


def test_check_not_limited_counts_nothing():
    for _ in range(4):
        _fail()
    limits.check_not_limited("test", key="lea", address="203.0.113.7")
    limits.check_not_limited("test", key="lea", address="203.0.113.7")
    _fail()
    with pytest.raises(limits.Limited):
        limits.check_not_limited("test", key="lea", address="203.0.113.7")
    limits.check_not_limited("test", key="tom", address="198.51.100.1")


def test_the_previous_window_still_counts_as_it_slides_away(monkeypatch):
    now = [1_000_000 * 300 + 290.0]  # ten seconds before a window turns
    monkeypatch.setattr(limits.time, "time", lambda: now[0])
    for _ in range(5):
        _fail()
    now[0] += 20  # the window turned: the five failures are now the previous window's
    with pytest.raises(limits.Limited):
        _fail()
    now[0] += 150  # half of the previous window still overlaps: 2.5 failures of 5
    _fail()
    _fail()
    with pytest.raises(limits.Limited):
        _fail()
    now[0] += 300  # a whole window later, only the two recent failures remain, weighted
    _fail()


def test_without_an_address_only_the_key_counts():
    for _ in range(5):
        limits.check_attempt("test", key="lea")
    with pytest.raises(limits.Limited):
        limits.check_attempt("test", key="lea")


def test_the_address_comes_from_the_request_and_its_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxied = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(8):
        limits.check_attempt("test", key=f"user{n}", request=proxied)
    with pytest.raises(limits.Limited):
        _fail(key="other", address="203.0.113.50")


def test_parallel_guesses_cannot_pass_the_limit_together():
    """Each attempt takes its slot before the secret is checked: twenty at once, five pass."""
    passed = []
    start = threading.Barrier(20)

    def guess(n: int) -> None:
        start.wait()
        try:
            limits.check_attempt("daily", key="lea", address=f"198.51.100.{n}")
        except limits.Limited:
            return
        passed.append(n)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 5


def test_counters_expire():
    limits.check_attempt("test", key="lea", address="203.0.113.7")
    cache = caches["limits"]
    names = [k for k in _keys_of(cache) if k.startswith(limits.NAMESPACE)] or pytest.skip(
        "this cache cannot list its keys"
    )
    for name in names:
        assert _expires(cache, name)


@pytest.mark.scaled
def test_a_counter_made_again_by_redis_incr_still_expires(monkeypatch):
    """Django's Redis ``incr`` checks that the key exists, then INCRs: a key expiring in
    between is made again by INCR without an expiry, which would lock out for ever."""
    cache = caches["limits"]
    real_incr = cache.incr

    def expiring_incr(key, delta=1, version=None):
        full = cache.make_and_validate_key(key, version=version)
        client = cache._cache.get_client(full, write=True)
        client.delete(full)  # it expires...
        return client.incr(full, delta)  # ...just before Redis's INCR

    monkeypatch.setattr(cache, "incr", expiring_incr)
    _fail()
    monkeypatch.setattr(cache, "incr", real_incr)
    name = next(k for k in _keys_of(cache) if "/key:" in k)
    assert _expires(cache, name)


def _keys_of(cache):
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(None)
        prefix = cache.make_key("")
        return [
            k.decode()[len(prefix) :] for k in client.scan_iter(f"{prefix}{limits.NAMESPACE}:*")
        ]
    if hasattr(cache, "_expire_info"):
        return [k.split(":", 2)[2] for k in cache._expire_info]
    return []


def _expires(cache, name):
    full = cache.make_key(name)
    if hasattr(cache, "_expire_info"):
        return cache._expire_info[full] is not None
    return cache._cache.get_client(full).ttl(full) > 0
