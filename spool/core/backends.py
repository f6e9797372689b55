"""A backend chosen once from the configuration (Redis at scale, SQL embedded) that tests can swap for a
block: :class:`Swappable` holds the factory, the lazily made default and the override.

    pools = Swappable(lambda: RedisPoolStore() if settings.SPOOL.redis_url else SqlPoolStore())
    pools.get()                   # the configured store
    with pools.use(SqlPoolStore()):  # run a test against another one
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Swappable(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._default: T | None = None
        self._override: T | None = None

    def get(self) -> T:
        """The override inside :meth:`use`, else the configured backend (made on first use)."""
        if self._override is not None:
            return self._override
        if self._default is None:
            self._default = self._make()
        return self._default

    @contextmanager
    def use(self, backend: T) -> Iterator[T]:
        """Use ``backend`` instead of the configured one inside the block."""
        previous, self._override = self._override, backend
        try:
            yield backend
        finally:
            self._override = previous
