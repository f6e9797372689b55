"""``/api/v2/filters`` (and read-only ``/api/v1/filters``): a person's hidden words as Mastodon filters,
with their keywords and single statuses; plus :func:`render_screened`, which every status list of this API
renders through so that ``hide`` filters leave statuses out and the others come back in ``filtered``.

Spool's default list of offensive words is not a filter here (it cannot be edited); it acts like a ``hide``
filter in every context while the person keeps it on, and shows as the pseudo-filter
``spool-offensive-words`` where a status is rendered with its matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pydantic
from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import iso, render_status_cards, render_statuses
from spool.api.mastodon.entities.cached import join_statuses, render_home_parts, render_home_rows
from spool.api.mastodon.params import read_params, validated
from spool.identities.models import Account, FilterKeyword, FilterPost, WordFilter
from spool.identities.services import word_filters as services
from spool.identities.word_filters import FilterMatch, hidden_ids, matching
from spool.posts.access import access_post
from spool.posts.batch import FeedEntry, PostCard
from spool.posts.models import Post, Repost
from spool.posts.screening import filter_matches, post_of
from spool.timelines.home import HomeRow

router = Router(tags=["filters"])

Item = Post | FeedEntry | Repost


# --- Screening statuses -------------------------------------------------------------------------------


def _screen(viewer: Account, posts: Sequence[Post], context: str) -> dict[int, list[FilterMatch]]:
    return filter_matches(viewer, posts, context)


def _mark(statuses: list[dict[str, Any]], found: dict[int, list[FilterMatch]]) -> list[dict[str, Any]]:
    """Put each status's matches in ``filtered`` (a reblog's on the wrapper and on the reblogged status)."""
    if not found:
        return statuses
    for status in statuses:
        inner = status["reblog"] or status
        results = [filter_result(m) for m in found.get(int(inner["id"]), ())]
        if results:
            inner["filtered"] = results
            status["filtered"] = results
    return statuses


def render_screened(viewer: Account | None, items: Sequence[Item], context: str) -> list[dict[str, Any]]:
    """Statuses for ``items`` (in order) as ``viewer`` should see them in ``context``: those a ``hide``
    filter catches are left out, the others carry their matches in ``filtered``. At most three queries more
    than :func:`render_statuses`."""
    if viewer is None or not items:
        return render_statuses(viewer, items)
    posts = [post_of(item) for item in items]
    found = _screen(viewer, posts, context)
    hidden = hidden_ids(found)
    kept = [item for item, post in zip(items, posts, strict=True) if post.id not in hidden]
    return _mark(render_statuses(viewer, kept), found)


def render_screened_cards(viewer: Account, cards: Sequence[PostCard], context: str) -> list[dict[str, Any]]:
    """:func:`render_screened` for cards already built (feeds that return ``PostCard``s)."""
    found = _screen(viewer, [c.post for c in cards], context)
    hidden = hidden_ids(found)
    return _mark(render_status_cards(viewer, [c for c in cards if c.id not in hidden]), found)


def render_screened_rows(
    viewer: Account, rows: Sequence[HomeRow], context: str, *, has_filters: bool = True
) -> list[dict[str, Any]]:
    """:func:`render_screened` for the home timeline's plain rows (cached statuses); ``has_filters=False``
    when the caller has read that the viewer has no filters (then, unless the viewer hides offensive words,
    nothing can catch a status and the rows' text is not even put together)."""
    found = _screen_rows(viewer, rows, context, has_filters)
    hidden = hidden_ids(found)
    return _mark(render_home_rows(viewer, [r for r in rows if r.post_id not in hidden]), found)


def render_screened_rows_json(
    viewer: Account, rows: Sequence[HomeRow], context: str, *, has_filters: bool = True
) -> bytes:
    """``orjson.dumps(render_screened_rows(...))``; a page nothing catches from finished statuses
    (:func:`spool.api.mastodon.entities.cached.render_home_json`)."""
    return render_screened_rows_parts(viewer, rows, context, has_filters=has_filters)[0]


def render_screened_rows_parts(
    viewer: Account, rows: Sequence[HomeRow], context: str, *, has_filters: bool = True
) -> tuple[bytes, list[bytes] | None]:
    """:func:`render_screened_rows_json`, and its statuses when the page is made of finished statuses alone
    (nothing screened out or marked, none rendered in full): what a page cache may keep
    (:mod:`spool.api.mastodon.page_cache`); None otherwise."""
    found = _screen_rows(viewer, rows, context, has_filters)
    if not found:
        parts, complete = render_home_parts(viewer, rows)
        return join_statuses(parts), parts if complete else None
    hidden = hidden_ids(found)
    shown = [r for r in rows if r.post_id not in hidden]
    return orjson.dumps(_mark(render_home_rows(viewer, shown), found)), None


def _screen_rows(
    viewer: Account, rows: Sequence[HomeRow], context: str, has_filters: bool
) -> dict[int, list[FilterMatch]]:
    if not has_filters and not viewer.hide_offensive_words:
        return {}
    items = [(r.post_id, r.author_id, _row_text(*r.text_parts)) for r in rows]
    return matching(viewer, items, context, has_filters=has_filters)


def _row_text(text: str | None, alt: str | None, topic: str | None) -> str:
    if not alt and not topic:  # most posts: the text alone, as the join below would make it
        return text or ""
    return "\n".join(p for p in (text, alt, topic or "") if p)


# --- Entities -------------------------------------------------------------------------------------------


def keyword_entity(keyword: FilterKeyword) -> dict[str, Any]:
    return {"id": str(keyword.id), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def status_entity(row: FilterPost) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.post_id)}


def filter_entity(f: WordFilter, *, with_items: bool = True) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": str(f.id),
        "title": f.title,
        "context": list(f.context),
        "expires_at": iso(f.expires_at),
        "filter_action": f.action,
    }
    if with_items:
        entity["keywords"] = [keyword_entity(k) for k in sorted(f.keywords.all(), key=lambda k: k.id)]
        entity["statuses"] = [status_entity(p) for p in sorted(f.posts.all(), key=lambda p: p.id)]
    return entity


def filter_result(match: FilterMatch) -> dict[str, Any]:
    return {
        "filter": {
            "id": match.filter_id,
            "title": match.title,
            "context": list(match.context),
            "expires_at": iso(match.expires_at),
            "filter_action": match.action,
        },
        "keyword_matches": list(match.keywords) or None,
        "status_matches": list(match.post_ids) or None,
    }


def v1_entity(f: WordFilter, keyword: FilterKeyword) -> dict[str, Any]:
    """Mastodon's v1 filter: one per keyword of a v2 filter."""
    return {
        "id": str(keyword.id),
        "phrase": keyword.keyword,
        "context": list(f.context),
        "whole_word": keyword.whole_word,
        "expires_at": iso(f.expires_at),
        "irreversible": f.action == "hide",
    }


# --- Parameters -----------------------------------------------------------------------------------------


def _one_or_many(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


class KeywordIn(pydantic.BaseModel):
    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = pydantic.Field(False, alias="_destroy")


class FilterIn(pydantic.BaseModel):
    title: str | None = None
    context: list[str] | None = None
    filter_action: str | None = None
    expires_in: int | None = None
    keywords_attributes: list[KeywordIn] = []

    @pydantic.field_validator("context", mode="before")
    @classmethod
    def _context(cls, value: Any) -> Any:
        return None if value is None else _one_or_many(value)

    @pydantic.field_validator("expires_in", mode="before")
    @classmethod
    def _expires(cls, value: Any) -> Any:
        return None if value == "" else value

    @pydantic.field_validator("keywords_attributes", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> Any:
        # Forms send ``keywords_attributes[][keyword]=…`` (a list) or ``keywords_attributes[0][keyword]=…``
        # (a dict keyed by position).
        if isinstance(value, dict):
            return [value[k] for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0)]
        return value


class KeywordBody(pydantic.BaseModel):
    keyword: str | None = None
    whole_word: bool | None = None


class StatusBody(pydantic.BaseModel):
    status_id: str


def _filter_params(request: HttpRequest) -> dict[str, Any]:
    """The request's parameters, with ``keywords_attributes[][keyword]=…&keywords_attributes[][whole_word]=…``
    read the way Rails reads them (a repeated field starts the next keyword), which a nested dict cannot
    say."""
    params = read_params(request)
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if request.content_type == "application/x-www-form-urlencoded":
        pairs += parse_qsl(
            request.body.decode(request.encoding or "utf-8", "replace"), keep_blank_values=True
        )
    prefix = "keywords_attributes[]["
    keywords: list[dict[str, str]] = []
    for key, value in pairs:
        if key.startswith(prefix) and key.endswith("]"):
            field = key[len(prefix) : -1]
            if not keywords or field in keywords[-1]:
                keywords.append({})
            keywords[-1][field] = value
    if keywords:
        params["keywords_attributes"] = keywords
    return params


def _changes(params: FilterIn) -> list[services.KeywordChange]:
    return [
        services.KeywordChange(k.keyword, k.whole_word, k.id, k.destroy) for k in params.keywords_attributes
    ]


def _with_items(f: WordFilter) -> WordFilter:
    return WordFilter.objects.prefetch_related("keywords", "posts").get(pk=f.pk)


def _filter(request: HttpRequest, filter_id: str) -> WordFilter:
    f = services.access_filter(me(request), filter_id)
    return _with_items(f)


# --- v2 -------------------------------------------------------------------------------------------------


@router.get("/v2/filters", auth=scoped("read:filters"))
def list_filters(request: HttpRequest) -> list[dict[str, Any]]:
    rows = WordFilter.objects.filter(account=me(request)).prefetch_related("keywords", "posts").order_by("id")
    return [filter_entity(f) for f in rows]


@router.post("/v2/filters", auth=scoped("write:filters"))
def create_filter(request: HttpRequest) -> dict[str, Any]:
    params = validated(FilterIn, _filter_params(request))
    f = services.create_filter(
        me(request),
        title=params.title,
        context=params.context,
        action=params.filter_action or "warn",
        expires_in=params.expires_in,
        keywords=_changes(params),
    )
    return filter_entity(_with_items(f))


@router.get("/v2/filters/keywords/{keyword_id}", auth=scoped("read:filters"))
def get_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    return keyword_entity(services.access_filter_keyword(me(request), keyword_id))


@router.put("/v2/filters/keywords/{keyword_id}", auth=scoped("write:filters"))
def update_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    params = validated(KeywordBody, read_params(request))
    row = services.update_filter_keyword(me(request), keyword_id, params.keyword, params.whole_word)
    return keyword_entity(row)


@router.delete("/v2/filters/keywords/{keyword_id}", auth=scoped("write:filters"))
def delete_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    services.delete_filter_keyword(me(request), keyword_id)
    return {}


@router.get("/v2/filters/statuses/{row_id}", auth=scoped("read:filters"))
def get_filter_status(request: HttpRequest, row_id: str) -> dict[str, Any]:
    return status_entity(services.access_filter_post(me(request), row_id))


@router.delete("/v2/filters/statuses/{row_id}", auth=scoped("write:filters"))
def delete_filter_status(request: HttpRequest, row_id: str) -> dict[str, Any]:
    return status_entity(services.delete_filter_post(me(request), row_id))


@router.get("/v2/filters/{filter_id}", auth=scoped("read:filters"))
def get_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    return filter_entity(_filter(request, filter_id))


@router.put("/v2/filters/{filter_id}", auth=scoped("write:filters"))
def update_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    raw = _filter_params(request)
    params = validated(FilterIn, raw)
    f = services.update_filter(
        me(request),
        filter_id,
        title=params.title,
        context=params.context,
        action=params.filter_action,
        keywords=_changes(params),
        **({"expires_in": params.expires_in} if "expires_in" in raw else {}),
    )
    return filter_entity(_with_items(f))


@router.delete("/v2/filters/{filter_id}", auth=scoped("write:filters"))
def delete_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    services.delete_filter(me(request), filter_id)
    return {}


@router.get("/v2/filters/{filter_id}/keywords", auth=scoped("read:filters"))
def list_keywords(request: HttpRequest, filter_id: str) -> list[dict[str, Any]]:
    return [keyword_entity(k) for k in sorted(_filter(request, filter_id).keywords.all(), key=lambda k: k.id)]


@router.post("/v2/filters/{filter_id}/keywords", auth=scoped("write:filters"))
def add_keyword(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    params = validated(KeywordBody, read_params(request))
    whole_word = True if params.whole_word is None else params.whole_word
    return keyword_entity(services.add_filter_keyword(me(request), filter_id, params.keyword, whole_word))


@router.get("/v2/filters/{filter_id}/statuses", auth=scoped("read:filters"))
def list_filter_statuses(request: HttpRequest, filter_id: str) -> list[dict[str, Any]]:
    return [status_entity(p) for p in sorted(_filter(request, filter_id).posts.all(), key=lambda p: p.id)]


@router.post("/v2/filters/{filter_id}/statuses", auth=scoped("write:filters"))
def add_filter_status(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    account = me(request)
    params = validated(StatusBody, read_params(request))
    services.access_filter(account, filter_id)  # a filter that isn't theirs is 404 before the post is
    post = access_post(account, params.status_id)
    return status_entity(services.add_filter_post(account, filter_id, post.id))


# --- v1 (read-only) -------------------------------------------------------------------------------------


@router.get("/v1/filters", auth=scoped("read:filters"))
def list_v1_filters(request: HttpRequest) -> list[dict[str, Any]]:
    rows = (
        FilterKeyword.objects.filter(filter__account=me(request))
        .select_related("filter")
        .order_by("filter_id", "id")
    )
    return [v1_entity(k.filter, k) for k in rows]


@router.get("/v1/filters/{keyword_id}", auth=scoped("read:filters"))
def get_v1_filter(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    keyword = services.access_filter_keyword(me(request), keyword_id)
    return v1_entity(keyword.filter, keyword)
