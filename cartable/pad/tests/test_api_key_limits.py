"""Wrong keys of the Etherpad-compatible API go through the one limiter, by address block."""

import pytest
from django.test import Client

from .etherpad_api import API_KEY

pytestmark = pytest.mark.django_db

URL = "/pad/api/1.3.0/checkToken"


@pytest.fixture(autouse=True)
def _key(settings):
    settings.PAD_API_KEY = API_KEY


def _call(key, ip="203.0.113.7"):
    return Client(REMOTE_ADDR=ip).get(URL, {"apikey": key})


def test_after_thirty_wrong_keys_even_the_right_one_is_refused():
    for n in range(30):
        assert _call(f"guess-{n}", ip=f"203.0.113.{n}").status_code == 401
    refused = _call(API_KEY, ip="203.0.113.200")
    assert refused.status_code == 429
    assert refused.json()["code"] == 4
    assert refused["Retry-After"] == "600"
    # Another block (the Moodle server) is not concerned.
    assert _call(API_KEY, ip="198.51.100.10").json()["code"] == 0


def test_right_keys_do_not_count():
    for _ in range(50):
        assert _call(API_KEY).json()["code"] == 0
    assert _call("wrong").status_code == 401
