"""Lookups remembered while one inbox batch is applied.

A batch of a hundred activities names the same few things again and again: the posts that are liked and
reposted, the local people who are followed or mentioned, whether anyone here follows an author. Inside
:func:`remembering` (``process_batch`` opens it), :func:`remembered` keeps what a lookup *found* for the
rest of the batch; what it did not find is looked up again, so a post created earlier in the batch is seen
by a ``Like`` after it. The batch :func:`forget`\\ s everything after an activity that may remove or change
what was found (``Delete``, ``Update``, ``Move``, ``Block``, ``Reject``) and after an item that failed (its
savepoint rolled back what it may have found). Outside a batch every lookup runs as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("remembered", default=None)
_absent: ContextVar[set[Hashable] | None] = ContextVar("remembered_absent", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    token, absent_token = _memo.set({}), _absent.set(set())
    try:
        yield
    finally:
        _memo.reset(token)
        _absent.reset(absent_token)


def remembered(key: Hashable, lookup: Callable[[], T]) -> T:
    """``lookup()``, kept under ``key`` for the rest of the batch when it found something (truthy)."""
    memo = _memo.get()
    if memo is None:
        return lookup()
    if key in memo:
        return memo[key]
    found = lookup()
    if found:
        memo[key] = found
    return found


def recall(key: Hashable) -> Any:
    """What :func:`remembered` keeps under ``key`` (``None``: nothing, or outside a batch)."""
    memo = _memo.get()
    return None if memo is None else memo.get(key)


def remember(key: Hashable, found: Any) -> None:
    """Keep ``found`` under ``key`` for the rest of the batch, as :func:`remembered` keeps what its lookup
    found (the caller looked it up in a statement of its own)."""
    memo = _memo.get()
    if memo is not None and found:
        memo[key] = found


def absent(keys: set[Hashable]) -> None:
    """Inside a batch: the lookups of ``keys`` find nothing (the caller asked for many in one query), until
    :func:`present` or :func:`forget`; :func:`known_absent` says so without a lookup."""
    absent_keys = _absent.get()
    if absent_keys is not None:
        absent_keys |= keys


def known_absent(key: Hashable) -> bool:
    absent_keys = _absent.get()
    return bool(absent_keys) and key in absent_keys  # type: ignore[operator]


def present(key: Hashable) -> None:
    """``key``'s lookup may find something now (the caller created it, or another process did)."""
    absent_keys = _absent.get()
    if absent_keys is not None:
        absent_keys.discard(key)


def forget() -> None:
    memo, absent_keys = _memo.get(), _absent.get()
    if memo is not None:
        memo.clear()
    if absent_keys is not None:
        absent_keys.clear()
