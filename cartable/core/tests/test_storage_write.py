import hashlib

import pytest
from django.core.files.storage import default_storage

from cartable.core.storage import TooLarge, save_stream, unique_name


def _chunks(total, size=1 << 20):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield b"x" * n
        sent += n


def test_save_stream_stores_with_checksums():
    stored = save_stream(unique_name("test", "Rapport final.PDF"), _chunks(20 * 1024 * 1024))
    assert stored.name.endswith(".pdf")
    assert stored.size == 20 * 1024 * 1024
    assert stored.sha1 == hashlib.sha1(b"x" * stored.size, usedforsecurity=False).hexdigest()
    assert default_storage.size(stored.name) == stored.size


def test_save_stream_refuses_too_large_and_leaves_nothing():
    name = unique_name("test", "big.bin")
    with pytest.raises(TooLarge):
        save_stream(name, _chunks(3 * 1024 * 1024), max_size=2 * 1024 * 1024)
    assert not default_storage.exists(name)


def test_unique_name_ignores_hostile_file_names():
    name = unique_name("drive", "../../etc/passwd.s h;rm")
    assert ".." not in name and " " not in name and ";" not in name
    assert name.startswith("drive/")
