"""``/api/v1/timelines``: home, public, a topic (Mastodon: tag) and a list. Thin over the feed queries
(:func:`spool.posts.timelines.home_entries`, :mod:`spool.feeds.timelines`); each page is rendered in a
fixed number of queries and screened by the viewer's hidden words (``hide`` filters leave statuses out, so
a page may hold fewer than ``limit``; the ``Link`` header still pages from what was read)."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon import page_cache
from spool.api.mastodon.accounts import account_id as record_id
from spool.api.mastodon.auth import caller, me, scoped, viewer
from spool.api.mastodon.entities.cached import join_statuses
from spool.api.mastodon.filters import render_screened, render_screened_rows_parts
from spool.api.mastodon.pagination import Window, link_header
from spool.core.compiled import compiled
from spool.core.headers import put
from spool.feeds import lists
from spool.feeds.timelines import list_entries, public_entries, topic_entries
from spool.identities.models import Account, WordFilter
from spool.posts.batch import FeedEntry
from spool.posts.timelines import Window as FeedWindow
from spool.posts.timelines import home_entries
from spool.timelines.home import home_rows

router = Router(tags=["timelines"])


def _viewer_state(owner: int) -> list[QuerySet[Any]]:
    """Rows of (ID, 0, kind): the members of the viewer's exclusive lists (``member``) and the viewer's word
    filters (``filter``; only whether there are any matters here). Read with the home page's relations
    (:func:`spool.timelines.home.home_rows`), or alone when the page read none."""
    members = lists.exclusive_member_ids(Account(id=owner)).values_list(
        "account_id", Value(0), Value("member", output_field=CharField())
    )
    filters = WordFilter.objects.filter(account_id=owner).values_list(
        "id", Value(0), Value("filter", output_field=CharField())
    )
    return [members, filters]


_VIEWER_STATE = compiled(lambda owner: _union(_viewer_state(owner)), ints=("owner",))


def _union(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
    first, *rest = parts
    return first.union(*rest, all=True)


_TRUE = ("1", "true", "True", "on")


def feed_window(request: HttpRequest, *, default: int = 20, cap: int = 40) -> FeedWindow:
    window = Window.from_request(request, default=default, cap=cap)
    return FeedWindow(window.limit, window.max_id, window.since_id, window.min_id)


def flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "") in _TRUE


def page(
    request: HttpRequest, response: HttpResponse, entries: list[FeedEntry], context: str
) -> list[dict[str, Any]]:
    link_header(request, response, [e.sort_id for e in entries])
    return render_screened(viewer(request), entries, context)


# The account is read with the page's first statement (spool.timelines.celebrities), not by authentication.
@router.get("/v1/timelines/home", auth=scoped("read:statuses", defer_account=True))
def home(request: HttpRequest, response: HttpResponse) -> Any:
    """Posts and reblogs of the people the viewer follows (and the viewer's), members of exclusive lists
    left out. Pages going back in time (no ``since_id``/``min_id``) come from the Following timeline store
    (:func:`spool.posts.timelines.home_posts`, the web app's home); polling for newer posts reads them at
    request time (:func:`spool.posts.timelines.home_entries`)."""
    window = feed_window(request)
    if window.since_id is not None or window.min_id is not None:
        account = me(request)
        entries, _ = home_entries(account, window, leave_out=lists.exclusive_member_ids(account))
        return page(request, response, entries, "home")
    # The hot path: rows and cached statuses, no model instances (spool.api.mastodon.entities.cached), and
    # the response's bytes made here (orjson, every key a string) rather than by the API's renderer; a page
    # nothing changed on since this process served it comes from spool.api.mastodon.page_cache.
    who = caller(request)
    viewer_id = who.account_id
    assert viewer_id is not None  # a person's token (``scoped``)
    cache_key = page_cache.page_key(request, viewer_id)
    # A key's page facts are read from its second request on, unless the key is left alone for now.
    seen = page_cache.pages.seen(cache_key) if cache_key is not None else None
    versioned = seen is not None and seen.worth_reading()
    remembered = seen.page if seen is not None and versioned else None
    # Taken before anything is read: what is heard after it may concern what this request reads.
    mark = page_cache.mark() if versioned else None
    try:
        prefetched = getattr(request, "prefetched_timeline", None)  # read with the rate-limit counter
        found = home_rows(
            viewer_id,
            window.max_id,
            window.limit,
            extra=_viewer_state,
            prefetched=prefetched,
            known=remembered.facts if remembered is not None else None,
            versioned=versioned,
            heard=seen is not None and seen.trusted(),
        )
    except Account.DoesNotExist:
        found = None
    who.provide(found.viewer if found else None)  # None (deleted since remembered): refused as a bad token
    assert found is not None
    if found.unchanged and remembered is not None:
        assert seen is not None
        seen.served()
        if not found.heard:
            seen.confirmed(mark)
        ready = HttpResponse(join_statuses(remembered.statuses), content_type="application/json")
        if remembered.link is not None:
            put(ready, (("Link", remembered.link),))  # checked when the page was remembered
        return ready
    account, rows, state = found.viewer, found.rows, found.extras
    keys = [r.sort_id for r in rows]  # the pages link from what was read, whatever is left out below
    if state is None:
        state = [(key, kind) for key, _, kind in _VIEWER_STATE.run(owner=account.id)]
    left_out = {key for key, kind in state if kind == "member"}
    if left_out:
        rows = [r for r in rows if r.shown_by not in left_out]
    has_filters = any(kind == "filter" for _, kind in state)
    body, statuses = render_screened_rows_parts(account, rows, "home", has_filters=has_filters)
    ready = link_header(request, HttpResponse(body, content_type="application/json"), keys)
    if seen is not None and versioned:
        if found.facts is not None and statuses is not None and not has_filters:
            made = page_cache.page(found.facts, statuses, ready.get("Link"))
            seen.kept(made, remembered is not None, mark)
        elif has_filters:
            seen.leave_alone()  # the viewer's word filters: not kept while they have some
        else:
            seen.forget()  # a page of more than one round, or with a status not finished (yet)
    return ready


@router.get("/v1/timelines/public", auth=scoped("read:statuses", optional=True))
def public(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    entries, _ = public_entries(
        viewer(request),
        feed_window(request),
        local=flag(request, "local"),
        remote=flag(request, "remote"),
        only_media=flag(request, "only_media"),
    )
    return page(request, response, entries, "public")


@router.get("/v1/timelines/tag/{hashtag}", auth=scoped("read:statuses", optional=True))
def tag(request: HttpRequest, response: HttpResponse, hashtag: str) -> list[dict[str, Any]]:
    """A topic's posts. Spool posts carry one topic, so ``any[]``, ``all[]`` and ``none[]`` are ignored."""
    entries, _ = topic_entries(
        viewer(request),
        hashtag,
        feed_window(request),
        local=flag(request, "local"),
        remote=flag(request, "remote"),
        only_media=flag(request, "only_media"),
    )
    return page(request, response, entries, "public")


@router.get("/v1/timelines/list/{list_id}", auth=scoped("read:lists"))
def list_timeline(request: HttpRequest, response: HttpResponse, list_id: str) -> list[dict[str, Any]]:
    account = me(request)
    lst = lists.access_list(account, record_id(list_id))
    entries, _ = list_entries(account, lst, feed_window(request))
    return page(request, response, entries, "home")
