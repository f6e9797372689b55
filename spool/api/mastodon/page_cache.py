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
- **Only where it pays**: a page's facts cost the page statement (and the registry's, when a page is
  remembered) some work, so they are read only for a key asked before: the first request of a key marks
  it seen (:class:`Seen`, no facts read). A key whose page cannot be kept for the viewer's word filters,
  or whose checks failed ``STRIKES`` times running (a page that changes between reads; a page that is
  never complete, such as one with a poll), is left alone for its next ``BACKOFF`` requests, twice as
  many each time it fails again (up to ``MAX_BACKOFF``), and tried again. A page not kept because one of
  its statuses' rendering just changed counts as one failed check (the next one is kept).
- **On notices** (PostgreSQL, ``SPOOL_PAGE_NOTICES``): each process hears the database announce the rows
  that change (:mod:`spool.timelines.notices`). A page kept with a point taken before it was read
  (:func:`mark`), and of which nothing was announced since, is *trusted* (:meth:`Seen.trusted`): served
  again with no statement at all while the timeline store's window (read with the request's rate-limit
  round trip) is the same, until a notice names one of its rows, the era of what was heard changes, or
  ``CHECK_EVERY`` passed since the database last confirmed it (a confirmation by statement trusts it
  again). A page the database would not announce every change of (a window ID with no row, a celebrity
  set made for another threshold) is never trusted, only checked.
- **Bound**: ``SPOOL_HOME_PAGE_CACHE`` keys (least recently used dropped first; 0: off). A page holds
  references to its statuses, so a status dropped from the finished statuses stays alive while a page
  keeps it: at most that many pages' bytes (~80 KB a page at limit 40) beyond what the process keeps anyway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest

from spool.api.mastodon.pagination import base_url
from spool.identities.servers import server_policy
from spool.timelines.home import ACTIVE_EVERY, PageFacts
from spool.timelines.notices import Mark, ear


class RememberedPage(NamedTuple):
    facts: PageFacts
    statuses: tuple[bytes, ...]  # the finished statuses' own bytes
    link: str | None


# Checks failed running before a key is left alone; requests it is then left alone for, the first time and
# at most.
STRIKES = 3
BACKOFF = 32
MAX_BACKOFF = 1024
# Seconds a page is trusted on notices after the database last confirmed it: a confirmation also notes that
# the viewer reads their timeline (spool.timelines.home.hold), which a page served on notices does not.
CHECK_EVERY = ACTIVE_EVERY.total_seconds()


class Seen:
    """What the cache knows of one key: its remembered page (None: none yet), how many checks failed
    running, how many more requests to leave it alone for, and for how many the next time; and whether
    the page is trusted on notices (in which era, since when)."""

    __slots__ = ("backoff", "confirmed_at", "era", "failures", "page", "skip", "watched")

    def __init__(self) -> None:
        self.page: RememberedPage | None = None
        self.failures = 0
        self.skip = 0
        self.backoff = 0
        self.watched: frozenset[str] = frozenset()  # the notices that untrust the page (none: not trusted)
        self.era = 0
        self.confirmed_at = 0.0

    def trusted(self) -> bool:
        """Whether the page may be served on notices alone (nothing it was made from announced changed since
        it was read, in this era, confirmed by the database within ``CHECK_EVERY``)."""
        return (
            bool(self.watched)
            and self.era == ear.era
            and ear.listening
            and settings.SPOOL.page_notices
            and time.monotonic() - self.confirmed_at < CHECK_EVERY
        )

    def confirmed(self, mark: Mark | None) -> None:
        """The database confirmed the page (read, or checked unchanged) after ``mark``: trust it unless
        something it was made from was announced since."""
        heard = self.page.facts.heard if self.page is not None else None
        watching.trust(self, heard.notices if heard is not None and mark is not None else None, mark)

    def worth_reading(self) -> bool:
        """Whether this request should read its page's facts (False while the key is left alone)."""
        if self.skip:
            self.skip -= 1
            return False
        return True

    def kept(self, page: RememberedPage, checked: bool, mark: Mark | None = None) -> None:
        """A page read and kept (``mark``: taken before it was read); ``checked``: a remembered one was
        checked first and had changed."""
        self.page = page
        self.confirmed(mark)
        if checked:
            self.failed()

    def served(self) -> None:
        """The remembered page was served: its key is worth it."""
        self.failures = self.backoff = 0

    def forget(self) -> None:
        """The page read was not one to keep: a failed check."""
        self.page = None
        watching.trust(self, None, None)
        self.failed()

    def failed(self) -> None:
        """A check failed, or the page read was not one to keep."""
        self.failures += 1
        if self.failures >= (STRIKES if not self.backoff else 1):
            self.leave_alone()

    def leave_alone(self) -> None:
        self.page = None
        watching.trust(self, None, None)
        self.failures = 0
        self.backoff = min(MAX_BACKOFF, self.backoff * 2 or BACKOFF)
        self.skip = self.backoff


class Watching:
    """Which trusted pages each notice names (kept under the ear's lock: its callbacks untrust pages as
    notices are heard). Most notices are named by one page: that page is the entry itself, and only a
    notice named by several gets a set (a one-element set cost 216 bytes a notice)."""

    def __init__(self) -> None:
        self._pages: dict[str, Seen | set[Seen]] = {}
        ear.on_heard(self._heard, era=self._pages.clear)

    def trust(self, seen: Seen, notices: frozenset[str] | None, mark: Mark | None) -> None:
        """Trust ``seen``'s page until one of ``notices`` is heard, unless one was heard since ``mark``
        (None, or no notices: no longer trusted)."""
        with ear.lock:
            self._untrust(seen)
            if notices and mark is not None and not ear.heard_since(mark, notices):
                seen.watched, seen.era, seen.confirmed_at = notices, mark.era, time.monotonic()
                for notice in notices:
                    found = self._pages.setdefault(notice, seen)
                    if isinstance(found, set):
                        found.add(seen)
                    elif found is not seen:
                        self._pages[notice] = {found, seen}

    def _untrust(self, seen: Seen) -> None:
        for notice in seen.watched:
            found = self._pages.get(notice)
            if found is seen:
                del self._pages[notice]
            elif isinstance(found, set):
                found.discard(seen)
                if len(found) == 1:
                    self._pages[notice] = found.pop()
        seen.watched = frozenset()

    def _heard(self, notice: str) -> None:
        found = self._pages.pop(notice, None)
        if found is not None:
            for seen in found if isinstance(found, set) else (found,):
                self._untrust(seen)

    def __len__(self) -> int:
        with ear.lock:
            return len(self._pages)


watching = Watching()


def mark() -> Mark | None:
    """A point in what this process heard, to take before a page is read (None: pages are not trusted on
    notices here; listening starts with the first one asked for)."""
    return ear.mark() if ear.start() else None


class PageCache:
    """A bounded LRU of :class:`Seen` keys (threads of one process share it)."""

    def __init__(self) -> None:
        self._pages: OrderedDict[Hashable, Seen] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, key: Hashable) -> Seen | None:
        """The key's state, or None the first time it is asked (it is then marked seen)."""
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                return found
            self._pages[key] = Seen()
            while len(self._pages) > size():
                _, dropped = self._pages.popitem(last=False)
                watching.trust(dropped, None, None)
            return None

    def __len__(self) -> int:
        """How many pages are remembered (keys only marked seen or left alone not counted)."""
        return sum(1 for seen in list(self._pages.values()) if seen.page is not None)

    def clear(self) -> None:
        with self._lock:
            for seen in self._pages.values():
                watching.trust(seen, None, None)
            self._pages.clear()


pages = PageCache()


def size() -> int:
    return max(0, int(settings.SPOOL.home_page_cache))


def page_key(request: HttpRequest, viewer_id: int) -> Hashable | None:
    """What a page is remembered under, or None when the cache is off."""
    if not size():
        return None
    return (viewer_id, base_url(request), request.META.get("QUERY_STRING", ""), server_policy())


def page(facts: PageFacts, statuses: list[bytes], link: str | None) -> RememberedPage:
    return RememberedPage(facts, tuple(statuses), link)
