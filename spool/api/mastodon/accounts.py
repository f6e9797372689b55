"""``/api/v1/accounts``: the signed-in person's own account, other accounts, their statuses and lists, and
the social graph (follow, block, mute) as Mastodon exposes it. Thin: each endpoint reads its parameters,
calls ``spool.identities`` (services and access rules) and renders entities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.auth import me, scoped, viewer
from spool.api.mastodon.entities import (
    render_account,
    render_accounts,
    render_credential_account,
    render_relationships,
    render_statuses,
)
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.params import read_params, validated
from spool.core.errors import NotFound, ValidationError
from spool.identities import services
from spool.identities.access import access_account, access_account_by_id, can_see_posts_of
from spool.identities.models import Account, Block, Follow, exclude_blocked
from spool.identities.validation import clean_bio, clean_display_name, clean_links
from spool.posts.models import Media, PinnedPost, Post, Repost
from spool.posts.services.topics import find_topic

router = Router(tags=["accounts"])

MAX_IDS = 40  # ``id[]`` lists (relationships, familiar followers)


# --- Looking accounts up ------------------------------------------------------------------------------


def account_id(raw: Any) -> int:
    """A path or query ID as a number; anything else names no account (404)."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise NotFound("Record not found") from None
    if not 0 < value < 1 << 63:
        raise NotFound("Record not found")
    return value


def target_account(request: HttpRequest, raw_id: Any, *, or_blocked: bool = False) -> Account:
    """The account ``raw_id`` as the caller may see it; with ``or_blocked``, also one the caller blocks (so
    it can be unblocked, or blocked again idempotently)."""
    caller = viewer(request)
    pk = account_id(raw_id)
    try:
        return access_account_by_id(caller, pk)
    except NotFound:
        if not or_blocked or caller is None:
            raise
    blocked = (
        Account.objects.active()
        .filter(pk=pk, pk__in=Block.objects.filter(blocker=caller).values("blocked_id"))
        .first()
    )
    if blocked is None:
        raise NotFound("Record not found")
    return blocked


def ids_param(params: dict[str, Any]) -> list[int]:
    """``id[]=1&id[]=2`` (or ``id=1``), at most ``MAX_IDS``; IDs that are not numbers are skipped."""
    raw = params.get("id", [])
    values = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in values[:MAX_IDS]:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


# --- The signed-in person ----------------------------------------------------------------------------


@router.get("/v1/accounts/verify_credentials", auth=scoped("profile"))
def verify_credentials(request: HttpRequest) -> dict[str, Any]:
    return render_credential_account(me(request))


class FieldIn(pydantic.BaseModel):
    name: str = ""
    value: str = ""


class CredentialsIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    display_name: str | None = None
    note: str | None = None
    locked: bool | None = None
    # Accepted for compatibility; Spool has no bots, headers or discovery opt-outs (yet).
    bot: bool | None = None
    discoverable: bool | None = None
    indexable: bool | None = None
    hide_collections: bool | None = None
    fields_attributes: list[FieldIn] | dict[str, FieldIn] | None = None

    def links(self) -> list[dict[str, str]] | None:
        """Profile fields as Spool profile links: the value is the URL, the name its title. Rows left
        empty (clients send four) are dropped."""
        if self.fields_attributes is None:
            return None
        rows = (
            self.fields_attributes
            if isinstance(self.fields_attributes, list)
            else [self.fields_attributes[k] for k in sorted(self.fields_attributes, key=_index)]
        )
        return [
            {"url": row.value.strip(), "title": row.name.strip()}
            for row in rows
            if row.name.strip() or row.value.strip()
        ]


def _index(key: str) -> int:
    return int(key) if key.isdigit() else 1 << 30


@router.patch("/v1/accounts/update_credentials", auth=scoped("write:accounts"))
def update_credentials(request: HttpRequest) -> dict[str, Any]:
    """Display name, bio (``note``), avatar, ``locked`` (a private profile) and profile fields (links).
    Every field is checked before anything is written, so one bad field changes nothing."""
    account = me(request)
    params = read_params(request)
    avatar = params.pop("avatar", None)
    params.pop("header", None)  # Spool profiles have no header image
    data = validated(CredentialsIn, params)
    links = data.links()
    # The same checks update_profile makes, made first so a bad avatar or field leaves everything as it was.
    if data.display_name is not None:
        clean_display_name(data.display_name)
    if data.note is not None:
        clean_bio(data.note)
    if links is not None:
        clean_links(links)
    if avatar is not None and not hasattr(avatar, "read"):
        raise ValidationError("Validation failed: avatar must be an uploaded image", field="avatar")
    with transaction.atomic():
        if avatar is not None:
            services.set_avatar(account, avatar)
        services.update_profile(
            account,
            display_name=data.display_name,
            bio=data.note,
            links=links,
            is_private=data.locked,
        )
    account.refresh_from_db()
    return render_credential_account(account)


# --- Reading accounts --------------------------------------------------------------------------------


@router.get("/v1/accounts/lookup", auth=scoped("read:accounts", optional=True))
def lookup(request: HttpRequest, acct: str = "") -> dict[str, Any]:
    """An account by its handle (``ana``, ``@ana`` or ``ana@this.server``), or a remote account already known
    here by ``user@server`` (as Mastodon: lookup never fetches; search with ``resolve`` does)."""
    caller = viewer(request)
    return render_account(caller, access_account(caller, acct.strip()))


@router.get("/v1/accounts/search", auth=scoped("read:accounts"))
def search(request: HttpRequest) -> list[dict[str, Any]]:
    """Accounts by handle or name. ``resolve`` is accepted; remote accounts are not looked up yet."""
    params = read_params(request)
    data = validated(SearchIn, params)
    caller = viewer(request)
    found = services.search_accounts(
        caller, data.q, limit=data.limit, offset=data.offset, following=data.following
    )
    return render_accounts(caller, found)


class SearchIn(pydantic.BaseModel):
    q: str
    limit: int = pydantic.Field(40, ge=1, le=80)
    offset: int = pydantic.Field(0, ge=0, le=10_000)
    resolve: bool = False
    following: bool = False


@router.get("/v1/accounts/relationships", auth=scoped("read:follows"))
def relationships(request: HttpRequest) -> list[dict[str, Any]]:
    """Relationships with the accounts ``id[]`` the caller may see (or blocks), in the order asked."""
    caller = me(request)
    ids = ids_param(read_params(request))
    known = set(Account.objects.visible_to(caller).filter(pk__in=ids).values_list("pk", flat=True))
    known |= set(
        Block.objects.filter(blocker=caller, blocked_id__in=ids).values_list("blocked_id", flat=True)
    )
    return render_relationships(caller, [i for i in dict.fromkeys(ids) if i in known])


@router.get("/v1/accounts/familiar_followers", auth=scoped("read:follows"))
def familiar_followers(request: HttpRequest) -> list[dict[str, Any]]:
    caller = me(request)
    ids = list(dict.fromkeys(ids_param(read_params(request))))
    found = services.familiar_followers(caller, ids)
    return [{"id": str(i), "accounts": render_accounts(caller, found.get(i, []))} for i in ids]


@router.get("/v1/accounts/{account_id}", auth=scoped("read:accounts", optional=True))
def get_account(request: HttpRequest, account_id: str) -> dict[str, Any]:
    return render_account(viewer(request), target_account(request, account_id))


@router.get("/v1/accounts/{account_id}/featured_tags", auth=scoped("read:accounts", optional=True))
def featured_tags(request: HttpRequest, account_id: str) -> list[dict[str, Any]]:
    """Spool profiles feature no topics: always empty (clients ask for it when opening a profile)."""
    target_account(request, account_id)
    return []


@router.get("/v1/accounts/{account_id}/identity_proofs", auth=scoped("read:accounts"))
def identity_proofs(request: HttpRequest, account_id: str) -> list[dict[str, Any]]:
    """Deprecated by Mastodon, still asked for by older clients: always empty."""
    target_account(request, account_id)
    return []


class StatusFilters(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    only_media: bool = False
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    pinned: bool = False
    tagged: str | None = None


@router.get("/v1/accounts/{account_id}/statuses", auth=scoped("read:statuses", optional=True))
def account_statuses(request: HttpRequest, account_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    """The account's posts (and reposts) newest first, as the caller may see them; ``pinned`` gives its
    pinned posts. Filters as Mastodon's; ``tagged`` is a topic."""
    caller = viewer(request)
    account = target_account(request, account_id)
    filters = validated(StatusFilters, read_params(request))
    window = Window.from_request(request, default=20, cap=40)
    if not can_see_posts_of(caller, account):
        return []
    posts = Post.objects.visible_to(caller).filter(author_id=account.pk)
    if filters.pinned:
        pins = PinnedPost.objects.filter(account_id=account.pk, post__in=posts)
        rows = window.apply(pins)
        by_id = Post.objects.for_cards().in_bulk([pin.post_id for pin in rows])
        link_header(request, response, [pin.id for pin in rows])
        return render_statuses(caller, [by_id[pin.post_id] for pin in rows if pin.post_id in by_id])
    if filters.exclude_replies:
        posts = posts.filter(is_reply=False)
    if filters.only_media:
        posts = posts.filter(Exists(Media.objects.filter(post_id=OuterRef("id"))))
    if filters.tagged is not None:
        topic = find_topic(filters.tagged)
        posts = posts.filter(topic_id=topic.id) if topic is not None else posts.none()
    items: list[Post | Repost] = list(window.apply(posts.for_cards()))
    if not (filters.exclude_reblogs or filters.only_media or filters.tagged):
        visible = Post.objects.visible_to(caller).filter(id=OuterRef("post_id"))
        reposts = Repost.objects.filter(account_id=account.pk).filter(Exists(visible))
        items += window.apply(reposts.select_related("account", "post__author", "post__topic", "post__card"))
        newest_first = window.min_id is None
        items.sort(key=lambda item: item.id, reverse=True)
        items = items[: window.limit] if newest_first else items[-window.limit :]
    link_header(request, response, [item.id for item in items])
    return render_statuses(caller, items)


def _account_list(
    request: HttpRequest, response: HttpResponse, raw_id: str, side: str
) -> list[dict[str, Any]]:
    """Followers (``side="follower"``) or followed accounts (``"followee"``) of an account, newest follow
    first, ``Link`` paging by follow; empty when the caller may not see the account's lists."""
    caller = viewer(request)
    account = target_account(request, raw_id)
    if not can_see_posts_of(caller, account):
        return []
    other = "followee" if side == "follower" else "follower"
    edges = Follow.objects.filter(**{f"{other}_id": account.pk, f"{side}__is_active": True})
    edges = exclude_blocked(edges, caller, field=f"{side}_id")
    rows = Window.from_request(request, default=40, cap=80).apply(edges.select_related(side))
    link_header(request, response, [row.id for row in rows])
    return render_accounts(caller, [getattr(row, side) for row in rows])


@router.get("/v1/accounts/{account_id}/followers", auth=scoped("read:accounts", optional=True))
def followers(request: HttpRequest, account_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    return _account_list(request, response, account_id, "follower")


@router.get("/v1/accounts/{account_id}/following", auth=scoped("read:accounts", optional=True))
def following(request: HttpRequest, account_id: str, response: HttpResponse) -> list[dict[str, Any]]:
    return _account_list(request, response, account_id, "followee")


# --- The social graph --------------------------------------------------------------------------------


class FollowIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    # Accepted: Spool always shows followed accounts' reposts and has no per-account post notifications.
    reblogs: bool = True
    notify: bool = False
    languages: list[str] | None = None


class MuteIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    # A Spool mute always silences notifications too and lasts until undone; both are accepted as sent.
    notifications: bool = True
    duration: int = pydantic.Field(0, ge=0)


# Graph actions that answer with the relationship: (path, scope, service, parameters accepted, whether an
# account the caller blocks is found too). Every service is idempotent.
_GRAPH: tuple[
    tuple[str, str, Callable[[Account, Account], Any], type[pydantic.BaseModel] | None, bool], ...
] = (
    # A private account gets a follow request instead (``requested: true``).
    ("follow", "write:follows", services.follow_account, FollowIn, False),
    # Unfollowing also withdraws a pending request.
    ("unfollow", "write:follows", services.unfollow_account, None, False),
    ("remove_from_followers", "write:follows", services.remove_follower, None, False),
    ("block", "write:blocks", services.block_account, None, True),
    ("unblock", "write:blocks", services.unblock_account, None, True),
    ("mute", "write:mutes", services.mute_account, MuteIn, False),
    ("unmute", "write:mutes", services.unmute_account, None, False),
)


def _graph_action(
    service: Callable[[Account, Account], Any], params: type[pydantic.BaseModel] | None, or_blocked: bool
) -> Callable[[HttpRequest, str], dict[str, Any]]:
    def act(request: HttpRequest, account_id: str) -> dict[str, Any]:
        if params is not None:
            validated(params, read_params(request))
        account = target_account(request, account_id, or_blocked=or_blocked)
        service(me(request), account)
        return render_relationships(me(request), [account])[0]

    return act


for _name, _scope, _service, _params, _or_blocked in _GRAPH:
    router.post(f"/v1/accounts/{{account_id}}/{_name}", auth=scoped(_scope), operation_id=f"account_{_name}")(
        _graph_action(_service, _params, _or_blocked)
    )
