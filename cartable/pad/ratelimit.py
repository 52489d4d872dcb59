"""Rate limits on pads: per writer and per pad, never per IP address.

Over a limit, a connection is slowed down (its next message waits), never cut: nothing typed is
lost, and a classroom behind one NAT is not treated as one person.
"""

from __future__ import annotations

import time
from collections.abc import Hashable

# Per writer (all their connections in this process: tabs, devices): a burst of keystrokes,
# then a steady pace.
RATE_PER_SECOND = 60.0
RATE_BURST = 300.0
# Per pad, whoever writes: room for a thousand typists at once, not for a flood.
PAD_RATE_PER_SECOND = 3000.0
PAD_RATE_BURST = 10000.0


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def delay(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class WriterBuckets:
    """One bucket per writer, shared by all their connections in this process, and forgotten
    with the last of them."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = RATE_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[Hashable, tuple[TokenBucket, int]] = {}

    def acquire(self, writer: Hashable) -> TokenBucket:
        bucket, users = self._buckets.get(writer) or (TokenBucket(self.rate, self.burst), 0)
        self._buckets[writer] = (bucket, users + 1)
        return bucket

    def release(self, writer: Hashable) -> None:
        entry = self._buckets.get(writer)
        if entry is None:
            return
        bucket, users = entry
        if users <= 1:
            del self._buckets[writer]
        else:
            self._buckets[writer] = (bucket, users - 1)

    def __len__(self) -> int:
        return len(self._buckets)


writers = WriterBuckets()
