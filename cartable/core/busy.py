"""When every database connection is taken: "busy, try again", not "something broke".

In the scaled-out mode each process borrows its PostgreSQL connections from a bounded pool
(``CARTABLE_DATABASE_POOL_*``). A request that waited ``CARTABLE_DATABASE_POOL_TIMEOUT``
seconds for one in vain fails with ``psycopg_pool.PoolTimeout`` (wrapped by Django in its
own ``OperationalError``). That is overload, not a bug: the answer is **503** with
``Retry-After``, which browsers show as a page saying so and sync clients (rclone, the
Nextcloud client) take as "retry later", and nothing of the request was written (its
transaction never began). Django's views get it from :func:`server_error` (``handler500``),
the WebDAV application from :func:`is_busy`.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error
from psycopg_pool import PoolTimeout

RETRY_AFTER = 5  # seconds


def is_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a wait for a database connection that ran out."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PoolTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 with ``Retry-After`` for a busy database, Django's 500 otherwise.
    Django calls it while handling the exception: ``sys.exc_info()`` holds it."""
    if not is_busy(sys.exc_info()[1]):
        return django_server_error(request)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
