from cartable.pad.ratelimit import TokenBucket


def test_a_burst_passes_then_the_writer_is_slowed_not_cut():
    bucket = TokenBucket(rate=10, burst=5)
    assert [bucket.delay() for _ in range(5)] == [0.0] * 5
    wait = bucket.delay()
    assert 0 < wait <= 0.11
