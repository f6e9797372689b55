"""The embedded (single-process) channel layer.

Channels' ``InMemoryChannelLayer`` sweeps expired messages and group memberships on every ``receive`` and
``group_send``, walking every channel and every group member each time; with thousands of open WebSockets
each new connection and each delivery then costs time proportional to the number of connections (opening
10,000 took minutes). This layer sweeps at most once a second, which changes nothing else: expiry is a
safety net for consumers that vanished without discarding their groups, not part of delivery.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_EVERY = 1.0  # seconds


class InProcessChannelLayer(InMemoryChannelLayer):
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = now
        super()._clean_expired()
