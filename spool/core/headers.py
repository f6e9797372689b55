"""Response headers that every API response gets, set without Django's checks on each one.

``response[name] = value`` checks the name (ASCII) and the value (Latin-1, no newline) on every call, two
Python calls each, before it stores the pair under the lower-cased name: a warm home page sets fifteen
headers that way. :class:`Headers` checks a fixed set once, as Django would (an invalid one raises when
the set is made), and :func:`put` stores values the caller makes from numbers and fixed text, or that
Django checked already. The pairs land where Django's own setter puts them (``HttpResponse.headers``), in
the same order, so a response is the same to everything that reads it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponseBase
from django.http.response import ResponseHeaders


class Headers:
    """A fixed set of headers, checked once by Django's own rules."""

    __slots__ = ("_items",)

    def __init__(self, *pairs: tuple[str, str]) -> None:
        checked = ResponseHeaders(dict(pairs))  # raises as ``response[name] = value`` would
        self._items = tuple(checked._store.items())

    def set_on(self, response: HttpResponseBase) -> None:
        """``response[name] = value`` for each, in order."""
        response.headers._store.update(self._items)

    def default_on(self, response: HttpResponseBase) -> None:
        """``response.headers.setdefault(name, value)`` for each, in order."""
        store = response.headers._store
        for key, item in self._items:
            if key not in store:
                store[key] = item


def put(response: HttpResponseBase, pairs: Iterable[tuple[str, str]]) -> None:
    """``response[name] = value`` for each pair, unchecked: only for ASCII names, and values the caller makes
    from numbers and fixed ASCII text or read back from a response Django set them on (checked then)."""
    store = response.headers._store
    for name, value in pairs:
        store[name.lower()] = (name, value)
