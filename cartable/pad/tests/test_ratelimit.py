from cartable.pad.ratelimit import TokenBucket, WriterBuckets


def test_a_burst_passes_then_the_writer_is_slowed_not_cut():
    bucket = TokenBucket(rate=10, burst=5)
    assert [bucket.delay() for _ in range(5)] == [0.0] * 5
    wait = bucket.delay()
    assert 0 < wait <= 0.11


def test_a_writers_connections_share_one_limit_forgotten_with_the_last():
    writers = WriterBuckets(rate=10, burst=5)
    first_tab = writers.acquire(("author", 7))
    second_tab = writers.acquire(("author", 7))
    classmate = writers.acquire(("author", 8))
    assert first_tab is second_tab
    assert [first_tab.delay() for _ in range(3)] == [0.0] * 3
    assert [second_tab.delay() for _ in range(2)] == [0.0] * 2
    assert second_tab.delay() > 0  # the second tab does not double the writer's burst
    assert classmate.delay() == 0.0  # behind the same NAT or not, another writer has their own
    writers.release(("author", 7))
    assert writers.acquire(("author", 7)) is first_tab
    writers.release(("author", 7))
    writers.release(("author", 7))
    writers.release(("author", 8))
    assert len(writers) == 0
