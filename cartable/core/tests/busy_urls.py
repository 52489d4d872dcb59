"""The site's URLs, and two that fail: for cartable/core/tests/test_busy.py."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from psycopg_pool import PoolTimeout

from cartable.urls import handler500, urlpatterns


def waited_for_a_connection(request: HttpRequest) -> HttpResponse:
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as exc:
        raise OperationalError(str(exc)) from exc


def broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError


urlpatterns = [
    path("test/busy/", waited_for_a_connection),
    path("test/broken/", broken),
    *urlpatterns,
]
__all__ = ["handler500", "urlpatterns"]
