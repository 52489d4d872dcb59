"""A streamed response gives the request's database connection back before its bytes go out."""

from __future__ import annotations

import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.db import connection

from cartable.accounts.models import User
from cartable.core.http import stream_chunks


class FakeAsgiRequest:
    """What ``stream_chunks`` looks at: the request came through ASGI."""


@pytest.fixture
def asgi_request(monkeypatch):
    monkeypatch.setattr("cartable.core.http.ASGIRequest", FakeAsgiRequest)
    return FakeAsgiRequest()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_streamed_bytes_do_not_hold_the_requests_connection(asgi_request, teacher):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django never closes the tests' in-memory SQLite database")

    def connected() -> bool:
        return connection.connection is not None

    def chunks():
        yield b"un"
        yield b"deux"

    async with ThreadSensitiveContext():  # one request's thread, as Django's ASGI handler does
        assert await sync_to_async(User.objects.filter(pk=teacher.pk).exists)()
        assert await sync_to_async(connected)()
        body = [chunk async for chunk in stream_chunks(asgi_request, chunks())]
        still_connected = await sync_to_async(connected)()

    assert body == [b"un", b"deux"]
    assert not still_connected
