"""Rate limits on pads: per writer and per pad, never per IP address.

Over a limit, a connection is slowed down (its next message waits), never cut: nothing typed is
lost, and a classroom behind one NAT is not treated as one person.
"""

from __future__ import annotations

import time

# Per connection: a burst of keystrokes, then a steady pace.
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
