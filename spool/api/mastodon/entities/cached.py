"""Statuses for the home timeline's hot path, from plain rows (:func:`spool.timelines.home.home_rows`) and a
cache of rendered statuses: no model instance, no ORM query building, on a warm page.

- **What is cached.** Per post, the status exactly as :func:`render_status_cards` renders it (orjson bytes,
  in the site's cache: Redis at scale, local memory embedded), fetched for the whole page in one round trip
  (``get_many``: one ``MGET``). The key holds everything the cached part depends on that can change — the
  edit time, the link card's state, the author's handle and privacy, the moderators' sensitive mark — so an
  edit, a card that finishes loading, a renamed or newly private author or a post marked sensitive make a
  new key: nothing has to be invalidated, and a deleted post is simply never asked for again (it drops out
  of the visibility query). Entries expire after ``TTL``.
- **What is not.** Counts come from the page's own row (the visibility query reads them); the viewer's
  flags (favourited, reblogged, bookmarked, muted thread, pinned) from the rows (read in the same query as
  the page's follow and mute rules, :data:`spool.timelines.home.HomeRow.flags`); the ``account``
  from the row's author columns, rendered once per distinct author state per process
  (:func:`account_json`). Block, mute, privacy and deletion are decided by the visibility query before
  anything is rendered.
- **Statuses that depend on the viewer in other ways** — polls (the viewer's vote), quotes (the quoted
  post's visibility), ghost posts (hidden counts), hidden replies — are marked ``DYNAMIC`` in the cache and
  rendered in full on every request, through the same renderer.

- **Finished statuses.** A status made from a cached one (patched with the row's counts, flags and author,
  wrapped for a repost) is also kept in this process as the bytes a page sends (:func:`render_home_json`),
  under everything it is made from (:func:`_finished_key`: the cache key's columns, the counts, the
  viewer's flags, the author's and reposter's columns, whether the viewer is the author); another reader
  who sees the same post the same way, or the same reader again, gets those bytes, and the page is their
  join.

A page is therefore the same bytes :func:`render_status_cards` would produce (``tests/api/mastodon/
test_home_cache.py`` compares the two, and checks each way a cached status could go stale).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import orjson
from django.core.cache import cache

from spool.api.mastodon.entities.accounts import render_account
from spool.api.mastodon.entities.common import absolute
from spool.api.mastodon.entities.statuses import reblog_wrapper, render_status_cards
from spool.identities.models import Account, acct_of
from spool.posts.batch import build_cards
from spool.posts.models import Post
from spool.timelines.home import HomeRow, account_values

KEY_VERSION = "st2"  # st2: remote mentions carry user@server
TTL = 24 * 3600
DYNAMIC = b"dynamic"
# Rendered accounts kept per process, keyed by every column they are rendered from.
ACCOUNT_MEMO_SIZE = 20_000
_accounts: dict[tuple[Any, ...], dict[str, Any]] = {}
# Cached statuses kept in this process as well, parsed (keys change whenever their content would, so a
# copy is never stale; the site's cache shares them between processes as bytes). Never mutated: a page
# patches a shallow copy.
LOCAL_SIZE = 20_000
_local: dict[str, dict[str, Any] | bytes] = {}
# Finished statuses (orjson bytes, as a page sends them) made from cached ones, kept in this process by
# everything they depend on (:func:`_finished_key`): the same post seen with the same counts and flags by
# another reader, or again, is not patched, wrapped and serialized again.
FINISHED_SIZE = 20_000
_finished: dict[tuple[Any, ...], bytes] = {}


def status_key(post: dict[str, Any], author: dict[str, Any]) -> str:
    edited = str(post["edited_at"]).replace(" ", "_") if post["edited_at"] else "0"
    private = 1 if author["is_private"] else 0
    sensitive = 1 if post["sensitive"] else 0  # moderators marking a post sensitive changes its status
    return (
        f"{KEY_VERSION}:{post['id']}:{edited}:{post['card__state'] or ''}:{author['handle']}:{private}:"
        f"{sensitive}"
    )


def account_json(fields: dict[str, Any]) -> dict[str, Any]:
    """``render_account`` of the account with these columns (``spool.timelines.home.ACCOUNT_FIELDS``, as
    the driver returns them); the same dict for the same values. Never mutate it."""
    key = tuple(fields.values())
    found = _accounts.get(key)
    if found is None:
        if len(_accounts) >= ACCOUNT_MEMO_SIZE:
            _accounts.clear()
        found = _accounts[key] = render_account(None, Account(**account_values(fields)))
    return found


def _get_many(keys: list[str]) -> dict[str, dict[str, Any] | bytes]:
    """Cached statuses (parsed, or ``DYNAMIC``): this process's copies first, then the site's cache (one
    ``MGET``) for the rest."""
    found = {k: _local[k] for k in keys if k in _local}
    wanted = [k for k in keys if k not in found]
    if wanted:
        for key, blob in cache.get_many(wanted).items():
            found[key] = _remember(key, blob)
    return found


def _set_many(blobs: dict[str, bytes]) -> None:
    cache.set_many(blobs, TTL)
    for key, blob in blobs.items():
        _remember(key, blob)


def _drop_oldest(store: dict[Any, Any]) -> None:
    """Drop ``store``'s oldest entry. Requests on other threads change these dicts too: when one did
    meanwhile, nothing is dropped now; the next insertion tries again."""
    with contextlib.suppress(StopIteration, RuntimeError):
        store.pop(next(iter(store)), None)


def _remember(key: str, blob: bytes) -> dict[str, Any] | bytes:
    if len(_local) >= LOCAL_SIZE:
        _drop_oldest(_local)
    value = _local[key] = blob if blob == DYNAMIC else orjson.loads(blob)
    return value


def _full(viewer: Account, rows: Sequence[HomeRow]) -> dict[int, dict[str, Any]]:
    """The rows' statuses rendered the usual way (cards, then :func:`render_status_cards`, given the
    viewer's pins and muted threads the rows already carry), by post ID."""
    ids = [r.post["id"] for r in rows]
    posts = Post.objects.for_cards().in_bulk(ids)
    cards = build_cards(viewer, [posts[i] for i in ids if i in posts])
    pinned = {r.post["id"] for r in rows if "pinned" in r.flags and r.author["id"] == viewer.id}
    muted = {r.post["root_id"] or r.post["id"] for r in rows if "muted" in r.flags}
    statuses = render_status_cards(viewer, cards, known=(pinned, muted))
    return {card.id: status for card, status in zip(cards, statuses, strict=True)}


def render_home_rows(viewer: Account, rows: Sequence[HomeRow]) -> list[dict[str, Any]]:
    """Mastodon statuses (reblog wrappers for reposts) for ``rows``, in order, as ``viewer`` sees them."""
    return [status for status, _ in _render(viewer, rows) if status is not None]


def render_home_json(viewer: Account, rows: Sequence[HomeRow]) -> bytes:
    """``orjson.dumps(render_home_rows(viewer, rows))``, each status taken from this process's finished
    statuses when it has one for the same row (:func:`_finished_key`): a warm page is mostly joined bytes."""
    return join_statuses(render_home_parts(viewer, rows)[0])


def join_statuses(parts: Sequence[bytes]) -> bytes:
    """The JSON array of these statuses (the bytes ``orjson.dumps`` makes of the list)."""
    return b"[" + b",".join(parts) + b"]"


def render_home_parts(viewer: Account, rows: Sequence[HomeRow]) -> tuple[list[bytes], bool]:
    """The statuses of :func:`render_home_json`, in order, and whether every one is a finished status (made
    from a cached one, depending on nothing but its row: not rendered in full, none deleted meanwhile)."""
    parts: list[bytes | None] = []
    keys: list[tuple[Any, ...] | None] = []
    missing: list[HomeRow] = []
    complete = True
    for row in rows:
        key = _finished_key(viewer.id, row)
        found = _finished.get(key) if key is not None else None
        parts.append(found)
        keys.append(key)
        if found is None:
            missing.append(row)
    if missing:
        rendered = iter(_render(viewer, missing))
        for at, part in enumerate(parts):
            if part is not None:
                continue
            status, static = next(rendered)
            if status is None:  # deleted between the two reads
                complete = False
                continue
            parts[at] = blob = orjson.dumps(status)
            key = keys[at]
            if static and key is not None:
                if len(_finished) >= FINISHED_SIZE:
                    _drop_oldest(_finished)
                _finished[key] = blob
            else:
                complete = False
    return [part for part in parts if part is not None], complete


def _finished_key(viewer_id: int, row: HomeRow) -> tuple[Any, ...] | None:
    """Everything a status made from a cached one (:func:`_patched`, and the reblog wrapper) depends on:
    the row's values as read (:attr:`HomeRow.values`: the columns of its cache key (:func:`status_key`),
    its counts, the author and reposter as they are now, the repost's ID, the viewer's flags) and whether
    the viewer is the author: the row's own tuples, so a warm page builds no dict. None for statuses
    rendered in full on every request (ghost posts, hidden replies; polls and quotes are never cached, see
    ``DYNAMIC``)."""
    if row.is_ghost_or_hidden:
        return None
    return (row.values, row.author_id == viewer_id)


def _render(viewer: Account, rows: Sequence[HomeRow]) -> list[tuple[dict[str, Any] | None, bool]]:
    """For each row, in order: its status (None: deleted between the two reads) and whether it was made
    from a cached status (not rendered in full)."""
    if not rows:
        return []
    posts = {r.post["id"]: r for r in rows}
    keys = {pid: status_key(r.post, r.author) for pid, r in posts.items()}
    cached = _get_many(list(keys.values()))
    static: dict[int, dict[str, Any]] = {}
    dynamic: list[int] = []
    missing: list[int] = []
    for pid, key in keys.items():
        blob = cached.get(key)
        if blob is None:
            missing.append(pid)
        elif isinstance(blob, bytes) or posts[pid].post["ghost"] or posts[pid].post["hidden"]:
            dynamic.append(pid)
        else:
            static[pid] = blob
    full = _full(viewer, [posts[pid] for pid in missing + dynamic]) if missing or dynamic else {}
    fresh: dict[str, bytes] = {}
    for pid in missing:
        rendered = full.get(pid)
        if rendered is None:
            continue
        values = posts[pid].post
        volatile = (
            rendered["poll"] is not None or values["quote_of_id"] or values["ghost"] or values["hidden"]
        )
        fresh[keys[pid]] = DYNAMIC if volatile else orjson.dumps(rendered)
    if fresh:
        _set_many(fresh)

    result: list[tuple[dict[str, Any] | None, bool]] = []
    for row in rows:
        pid = row.post["id"]
        patched = pid in static
        status = _patched(viewer.id, row, static[pid]) if patched else full.get(pid)
        if status is not None and row.reposter is not None and row.repost_id is not None:
            reposter = row.reposter
            status = reblog_wrapper(
                row.repost_id,
                reposter["is_private"],
                absolute(f"/@{acct_of(reposter['handle'], reposter['domain'])}"),
                account_json(reposter),
                status,
            )
        result.append((status, patched))
    return result


def _patched(viewer_id: int, row: HomeRow, status: dict[str, Any]) -> dict[str, Any]:
    """A cached status with this request's counts, the viewer's flags and the author as they are now."""
    post, author = row.post, row.author
    status = dict(status)
    status["replies_count"] = post["replies_count"] or 0
    status["reblogs_count"] = post["reposts_count"] or 0
    status["favourites_count"] = post["likes_count"] or 0
    status["quotes_count"] = post["quotes_count"] or 0
    flags = row.flags
    status["favourited"] = "liked" in flags
    status["reblogged"] = "reposted" in flags
    status["muted"] = "muted" in flags
    status["bookmarked"] = "saved" in flags
    status["pinned"] = "pinned" in flags and author["id"] == viewer_id
    status["account"] = account_json(author)
    denied = author["is_private"] and author["id"] != viewer_id
    status["quote_approval"] = {
        **status["quote_approval"],
        "current_user": "denied" if denied else "automatic",
    }
    return status
