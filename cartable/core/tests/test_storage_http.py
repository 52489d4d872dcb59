"""Downloads from platform storage, on local disk (embedded) and on S3 (scaled out).

``streaming`` turns the S3 redirect off, so that the same tests read the bytes through
Cartable from either storage; the redirect has its own test, on S3 only.
"""

from __future__ import annotations

import hashlib
import tempfile
import tracemalloc
import warnings

import pytest
import requests
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.test import AsyncRequestFactory, RequestFactory

from cartable.core.http import CHUNK, storage_response
from cartable.testing.servers import run_async

DATA = bytes(range(256)) * 40  # 10 240 bytes
BIG = 20 * 1024 * 1024
MAX_HELD = 4 * CHUNK  # what a download may hold in memory at once, whatever the file's size


def on_s3() -> bool:
    return hasattr(default_storage, "bucket_name")


@pytest.fixture
def streaming(settings):
    settings.S3_REDIRECT_DOWNLOADS = False


@pytest.fixture
def stored():
    return default_storage.save("docs/cours.pdf", ContentFile(DATA))


def get(name, **headers):
    return storage_response(RequestFactory().get("/download", headers=headers), name)


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def header_of(name, header: str) -> str:
    response = get(name)
    body(response)  # read to the end, which closes the file
    return response[header]


def test_full_get_streams_the_whole_file_with_its_headers(streaming, stored):
    response = get(stored)

    assert response.status_code == 200
    assert body(response) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Content-Type"] == "application/pdf"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert response["Content-Disposition"].startswith('attachment; filename="cours')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_inline_download_keeps_a_unicode_file_name(streaming, stored):
    request = RequestFactory().get("/download")
    response = storage_response(request, stored, filename="leçon 1.pdf", inline=True)
    body(response)

    assert response["Content-Disposition"] == (
        "inline; filename=\"leon 1.pdf\"; filename*=UTF-8''le%C3%A7on%201.pdf"
    )


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=10-19", 10, 19),  # one range
        ("bytes=-100", len(DATA) - 100, len(DATA) - 1),  # the last 100 bytes
        ("bytes=10000-", 10000, len(DATA) - 1),  # from 10 000 to the end
        ("bytes=0-999999", 0, len(DATA) - 1),  # an end past the file is the file's end
        ("bytes=-999999", 0, len(DATA) - 1),  # a suffix longer than the file is the file
    ],
)
def test_range_request_gets_those_bytes_only(streaming, stored, header, start, end):
    response = get(stored, Range=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == DATA[start : end + 1]


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", "bytes=50-10", "bytes=-0"])
def test_unsatisfiable_range_is_416(streaming, stored, header):
    response = get(stored, Range=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-10", "bytes=abc"])
def test_multiple_or_malformed_ranges_get_the_whole_file(streaming, stored, header):
    response = get(stored, Range=header)

    assert response.status_code == 200
    assert body(response) == DATA


def test_range_for_another_version_gets_the_whole_file(streaming, stored):
    response = get(stored, Range="bytes=0-9", If_Range='"another-version"')

    assert response.status_code == 200
    assert body(response) == DATA


def test_range_for_the_same_version_is_honoured(streaming, stored):
    etag = header_of(stored, "ETag")

    response = get(stored, Range="bytes=0-9", If_Range=etag)

    assert response.status_code == 206
    assert body(response) == DATA[:10]


def test_if_none_match_with_the_current_etag_is_304(streaming, stored):
    etag = header_of(stored, "ETag")

    response = get(stored, If_None_Match=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_none_match_with_an_old_etag_gets_the_file(streaming, stored):
    response = get(stored, If_None_Match='"old"')

    assert response.status_code == 200
    assert body(response) == DATA


def test_if_modified_since_the_last_modification_is_304(streaming, stored):
    last_modified = header_of(stored, "Last-Modified")

    assert get(stored, If_Modified_Since=last_modified).status_code == 304


def test_head_gives_the_headers_and_no_body(streaming, stored):
    response = storage_response(RequestFactory().head("/download"), stored)

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(DATA))
    assert response.content == b""


def test_empty_file_downloads_and_refuses_ranges(streaming):
    name = default_storage.save("docs/empty.txt", ContentFile(b""))

    assert body(get(name)) == b""
    assert get(name, Range="bytes=-5").status_code == 416


@pytest.fixture
def big_file():
    """A 20 MB file in storage, written from disk so the test holds no copy of it."""
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as fh:
        for i in range(BIG // (1024 * 1024)):
            block = bytes([i]) * (1024 * 1024)
            digest.update(block)
            fh.write(block)
        fh.seek(0)
        name = default_storage.save("videos/big.bin", File(fh, name="big.bin"))
    return name, digest.hexdigest()


def _read_all_sync(response) -> tuple[int, int, str]:
    chunks, size, digest = 0, 0, hashlib.sha256()
    for chunk in response.streaming_content:
        assert len(chunk) <= CHUNK
        chunks += 1
        size += len(chunk)
        digest.update(chunk)
    return chunks, size, digest.hexdigest()


async def _read_all_async(response) -> tuple[int, int, str]:
    chunks, size, digest = 0, 0, hashlib.sha256()
    async for chunk in response:
        assert len(chunk) <= CHUNK
        chunks += 1
        size += len(chunk)
        digest.update(chunk)
    return chunks, size, digest.hexdigest()


def _peak_while(read) -> tuple[tuple[int, int, str], int]:
    tracemalloc.start()
    try:
        result = read()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_big_file_is_streamed_in_chunks_not_loaded(streaming, big_file):
    name, sha = big_file
    response = storage_response(RequestFactory().get("/download"), name)
    assert isinstance(response, StreamingHttpResponse)

    (chunks, size, digest), peak = _peak_while(lambda: _read_all_sync(response))

    assert size == BIG
    assert digest == sha
    assert chunks >= BIG // CHUNK
    assert peak < MAX_HELD, f"{peak} bytes held while downloading {BIG}"


def test_big_file_is_streamed_asynchronously_under_asgi(streaming, big_file):
    """Django would read a synchronous iterator whole before sending under ASGI."""
    name, sha = big_file
    request = AsyncRequestFactory().get("/download", headers={"Range": f"bytes=1-{BIG - 2}"})

    response = storage_response(request, name)
    assert isinstance(response, StreamingHttpResponse)
    assert response.is_async
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (chunks, size, _digest), peak = _peak_while(lambda: run_async(_read_all_async(response)))

    assert response.status_code == 206
    assert size == BIG - 2
    assert chunks >= (BIG - 2) // CHUNK
    assert peak < MAX_HELD, f"{peak} bytes held while downloading {BIG}"


def test_whole_big_file_under_asgi_is_streamed_too(streaming, big_file):
    name, sha = big_file

    response = storage_response(AsyncRequestFactory().get("/download"), name)

    assert response.is_async
    _chunks, size, digest = run_async(_read_all_async(response))
    assert (size, digest) == (BIG, sha)


@pytest.mark.skipif(not on_s3(), reason="S3 storage only (make test-scaled)")
def test_s3_download_redirects_to_a_signed_url_that_serves_the_bytes(stored):
    response = storage_response(
        RequestFactory().get("/download"), stored, filename="leçon.pdf", inline=True
    )

    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("http://127.0.0.1:")
    assert "Signature=" in url or "X-Amz-Signature=" in url
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == DATA
    assert downloaded.headers["Content-Type"] == "application/pdf"
    partial = requests.get(url, headers={"Range": "bytes=0-9"}, timeout=10)
    assert partial.status_code == 206
    assert partial.content == DATA[:10]


@pytest.mark.skipif(not on_s3(), reason="S3 storage only (make test-scaled)")
def test_s3_signed_url_is_refused_once_tampered_with(stored):
    url = storage_response(RequestFactory().get("/download"), stored)["Location"]

    tampered = url.replace("cours", "autre", 1)

    assert requests.get(tampered, timeout=10).status_code in (403, 404)
