"""Warm home pages remembered per server process, served again while nothing they were made from changed.

A person who reloads their home timeline and finds nothing new gets the page without the page statement:
the view (:func:`spool.api.mastodon.timelines.home`) hands the remembered page's facts
(:class:`spool.timelines.home.PageFacts`: the first round's candidate entries and the versions of every
row and relation the page was decided and rendered from, :mod:`spool.timelines.versions`) to
:func:`spool.timelines.home.home_rows`, which reads the registry (with the versions, one statement on
PostgreSQL) and the window, and answers ``unchanged`` when both are the same; otherwise the page is read
as before and remembered anew.

- **Key**: the viewer, the request's absolute path and query (the ``Link`` header is made from them) and
  the operator's server policy (blocked and allowed servers from the settings).
- **Kept**: the page's statuses as the finished statuses' own bytes objects (not a copy) and its ``Link``
  header. Only pages made of finished statuses alone are kept: a status rendered in full (a poll, a quote,
  a ghost post, a hidden reply), a page the viewer's word filters or the default word list touch, a viewer
  with word filters, a page decided in more than one round or from a timeline rebuilt on this request are
  served and not kept. ``since_id``/``min_id`` pages never come here.
- **Bound**: ``SPOOL_HOME_PAGE_CACHE`` pages (least recently used dropped first; 0: off). A page holds
  references to its statuses, so a status dropped from the finished statuses stays alive while a page
  keeps it: at most that many pages' bytes (~80 KB a page at limit 40) beyond what the process keeps anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest

from spool.api.mastodon.pagination import base_url
from spool.identities.servers import server_policy
from spool.timelines.home import PageFacts


class RememberedPage(NamedTuple):
    facts: PageFacts
    statuses: tuple[bytes, ...]  # the finished statuses' own bytes
    link: str | None


class PageCache:
    """A bounded LRU of :class:`RememberedPage` (threads of one process share it)."""

    def __init__(self) -> None:
        self._pages: OrderedDict[Hashable, RememberedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> RememberedPage | None:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key: Hashable, page: RememberedPage, size: int) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > size:
                self._pages.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._pages.pop(key, None)

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


pages = PageCache()


def size() -> int:
    return max(0, int(settings.SPOOL.home_page_cache))


def page_key(request: HttpRequest, viewer_id: int) -> Hashable | None:
    """What a page is remembered under, or None when the cache is off."""
    if not size():
        return None
    return (viewer_id, base_url(request), request.META.get("QUERY_STRING", ""), server_policy())


def remember(key: Hashable, facts: PageFacts, statuses: list[bytes], link: str | None) -> None:
    pages.put(key, RememberedPage(facts, tuple(statuses), link), size())
