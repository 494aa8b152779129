"""In-memory guards in front of the core: recently seen update ids, and per-user flood control.

Both are per process and bounded, and both are only a first line:

* `RecentUpdates` drops an update id seen a moment ago (a webhook retry, a replayed poll) before it costs
  a database round trip or a second `answerCallbackQuery`. The authority is the core, which records every
  update id in the database and handles a repeated one once, across restarts and processes.
* `FloodGuard` is a token bucket per user: a burst of `burst` messages, refilled at `per_second`. The
  first message over the limit gets one polite notice; the rest are dropped, unanswered and unrecorded,
  until the bucket has refilled. Kept in memory on purpose: a flood is a now-problem, and forgetting it on
  restart is harmless.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class RecentUpdates:
    """A bounded set of recently seen update ids."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        """Remember the id; False when it was seen recently."""
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    def forget(self, update_id: int) -> None:
        """Unsee an id whose update could not be stored, so Telegram's next delivery of it gets through."""
        self._seen.pop(update_id, None)


class Verdict(Enum):
    """What to do with one incoming message."""

    ACCEPT = "accept"
    WARN = "warn"  # over the limit: tell the user once, do not handle
    DROP = "drop"  # still over the limit: ignore


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    """Per-user token buckets: `burst` messages at once, then `per_second` on average."""

    def __init__(
        self,
        burst: int = 20,
        per_second: float = 1.0,
        *,
        max_users: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self._max_users = max_users
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, user_key: str) -> Verdict:
        """Take one token for this user and say whether the message may go on."""
        now = self._clock()
        bucket = self._buckets.get(user_key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[user_key] = bucket
            if len(self._buckets) > self._max_users:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(user_key)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ACCEPT
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN
