"""Every database connection taken: 503 and Retry-After, from Django's views and from
WebDAV; any other failure stays a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from psycopg_pool import PoolTimeout

from cartable.core import busy
from cartable.drive.webdav.files import FilesTree
from cartable.testing.dav import DavClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_seeing_errors(settings):
    settings.ROOT_URLCONF = "cartable.core.tests.busy_urls"
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


def test_a_page_that_found_no_free_connection_says_busy_and_when_to_retry(client_seeing_errors):
    response = client_seeing_errors.get("/test/busy/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(busy.RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    assert "Cartable is busy" in response.content.decode()


def test_any_other_failure_is_still_a_500(client_seeing_errors):
    response = client_seeing_errors.get("/test/broken/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_is_busy_looks_at_what_caused_the_error():
    try:
        try:
            raise PoolTimeout("no connection")
        except PoolTimeout as exc:
            raise OperationalError("no connection") from exc
    except OperationalError as wrapped:
        assert busy.is_busy(wrapped)
    assert not busy.is_busy(OperationalError("the server closed the connection"))
    assert not busy.is_busy(None)


def test_webdav_that_found_no_free_connection_says_busy(teacher, monkeypatch):
    dav = DavClient.of(teacher)

    def waited(*args, **kwargs):
        raise OperationalError("no connection") from PoolTimeout("no connection")

    monkeypatch.setattr(FilesTree, "propfind", waited)
    response = dav.propfind("")

    assert response.status_code == 503
    assert response.headers["retry-after"] == str(busy.RETRY_AFTER)
