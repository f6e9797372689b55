"""``/api/spool/v1/accounts/``: sign-up, your own profile, other profiles and the social graph.

Thin: each endpoint parses input, calls one service or read function and shapes the answer. Errors come
back as ``{"error", "code", "field"}`` with a 4xx status (see :mod:`spool.api.common.errors`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import login, logout
from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from spool.accounts.services import check_birth_date, confirm_password, is_under_18
from spool.api.common.auth import current_account
from spool.core.errors import Forbidden, NotFound, ValidationError
from spool.core.pagination import page_before, parse_cursor
from spool.core.requests import client_address, signed_in_account
from spool.identities import services
from spool.identities.access import (
    access_account,
    access_blocked_account,
    can_see_posts_of,
    pending_follow_requests,
)
from spool.identities.models import Account, Follow
from spool.identities.relationships import Relationship as RelationshipData
from spool.identities.relationships import relationships

router = Router(tags=["accounts"])

RELATIONSHIPS_MAX = 40


# --- Schemas ----------------------------------------------------------------------------------------------


class Link(Schema):
    url: str
    title: str = ""


class AccountOut(Schema):
    """A profile as anyone allowed to see it sees it."""

    id: str
    handle: str
    acct: str
    display_name: str
    bio: str
    links: list[Link]
    avatar_url: str | None
    url: str
    is_private: bool
    is_verified: bool
    followers_count: int
    following_count: int
    posts_count: int
    created_at: datetime


class MyAccount(AccountOut):
    """Your own profile, with what only you see."""

    email: str
    is_active: bool
    is_staff: bool
    birth_date: str | None
    is_minor: bool


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: str | None


class Relationship(Schema):
    id: str
    handle: str
    following: bool
    followed_by: bool
    requested: bool
    requested_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    restricting: bool


class FollowResultOut(Schema):
    state: Literal["following", "requested"]
    relationship: Relationship


class SignUp(Schema):
    model_config = ConfigDict(extra="forbid")

    email: str
    password: str
    handle: str
    display_name: str = ""
    birth_date: str | None = None  # YYYY-MM-DD; under 18: a private profile and no requests from strangers
    invite: str | None = None  # required when the server is invite-only (SPOOL_INVITE_ONLY)


class ProfileChange(Schema):
    """Fields to change; leave a field out (or send null) to keep it."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = None
    bio: str | None = None
    links: list[Link | str] | None = None
    is_private: bool | None = None
    birth_date: str | None = None


class PasswordConfirmation(Schema):
    password: str


class VerifiedChange(Schema):
    verified: bool


class Ok(Schema):
    ok: bool = True


# --- Shaping --------------------------------------------------------------------------------------------


def account_out(account: Account) -> dict[str, Any]:
    """Serialise without queries (everything it reads is on the row)."""
    return {
        "id": str(account.pk),
        "handle": account.handle,
        "acct": account.acct,
        "display_name": account.display_name,
        "bio": account.bio,
        "links": account.links or [],
        "avatar_url": account.avatar.url if account.avatar else None,
        "url": f"/@{account.handle}",
        "is_private": account.is_private,
        "is_verified": account.is_verified,
        "followers_count": account.followers_count,
        "following_count": account.following_count,
        "posts_count": account.posts_count,
        "created_at": account.created_at,
    }


def my_account(account: Account) -> dict[str, Any]:
    user = account.user
    return {
        **account_out(account),
        "email": user.email if user else "",
        "is_active": account.is_active,
        "is_staff": bool(user and user.is_staff),
        "birth_date": user.birth_date.isoformat() if user and user.birth_date else None,
        "is_minor": bool(user and is_under_18(user)),
    }


def relationship_out(account: Account, rel: RelationshipData) -> dict[str, Any]:
    return {**rel.as_dict(), "id": str(account.pk), "handle": account.handle}


def _viewer(request: HttpRequest) -> Account | None:
    """The signed-in, active account on endpoints open to visitors (``auth=None``), else ``None``."""
    account: Account | None = signed_in_account(request)
    return account


def _relationship_with(viewer: Account, target: Account) -> dict[str, Any]:
    target.refresh_from_db()
    return relationship_out(target, relationships(viewer, [target.pk])[target.pk])


def _page(rows: Any, accounts: list[Account]) -> dict[str, Any]:
    return {
        "items": [account_out(a) for a in accounts],
        "next_cursor": str(rows.next_cursor) if rows.next_cursor else None,
    }


# --- Sign-up and your own profile -------------------------------------------------------------------------


@router.post("", auth=None, response={201: MyAccount}, url_name="accounts-sign-up")
def sign_up(request: HttpRequest, payload: SignUp) -> Status[dict[str, Any]]:
    """Create an account and sign in as it."""
    account = services.register_account(
        email=payload.email,
        password=payload.password,
        handle=payload.handle,
        display_name=payload.display_name,
        client_address=client_address(request),
        birth_date=payload.birth_date,
        invite=payload.invite,
    )
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    return Status(201, my_account(account))


@router.get("me", response=MyAccount)
def get_me(request: HttpRequest) -> dict[str, Any]:
    return my_account(current_account(request))


@router.patch("me", response=MyAccount)
def update_me(request: HttpRequest, payload: ProfileChange) -> dict[str, Any]:
    account = current_account(request)
    changes = payload.model_dump(exclude_unset=True)
    birth_date = changes.pop("birth_date", None)
    if birth_date is not None:
        # Checked first: a refused date changes nothing else either.
        check_birth_date(birth_date)
    if "links" in changes and changes["links"] is not None:
        changes["links"] = [link if isinstance(link, str) else dict(link) for link in changes["links"]]
    with transaction.atomic():
        account = services.update_profile(account, **changes)
        if birth_date is not None:
            services.set_birth_date(account, birth_date)
    return my_account(account)


@router.post("me/avatar", response=MyAccount)
def upload_avatar(request: HttpRequest, avatar: UploadedFile | None = File(None)) -> dict[str, Any]:  # noqa: B008
    """Multipart upload in the ``avatar`` field: JPEG, PNG, WebP or GIF, cropped to a square."""
    return my_account(services.set_avatar(current_account(request), avatar))


@router.delete("me/avatar", response=MyAccount)
def delete_avatar(request: HttpRequest) -> dict[str, Any]:
    return my_account(services.remove_avatar(current_account(request)))


@router.post("me/deactivate", response=Ok)
def deactivate_me(request: HttpRequest) -> dict[str, Any]:
    """Hide your profile and posts; signing in again brings them back. Signs you out."""
    services.deactivate_account(current_account(request))
    logout(request)
    return {"ok": True}


@router.post("me/reactivate", response=MyAccount)
def reactivate_me(request: HttpRequest) -> dict[str, Any]:
    account = request.auth  # type: ignore[attr-defined]
    services.reactivate_account(account)
    return my_account(account)


@router.post("me/delete", response=Ok)
def delete_me(request: HttpRequest, payload: PasswordConfirmation) -> dict[str, Any]:
    """Delete your account and everything in it, for good. Needs your password."""
    account = request.auth  # type: ignore[attr-defined]
    confirm_password(account.user, payload.password)
    services.delete_account(account)
    logout(request)
    return {"ok": True}


@router.get("me/follow_requests", response=AccountPage)
def list_follow_requests(request: HttpRequest, cursor: str | None = None, limit: int = 20) -> dict[str, Any]:
    """People asking to follow you, newest first."""
    account = current_account(request)
    rows = pending_follow_requests(account, parse_cursor(cursor), limit)
    return _page(rows, [row.requester for row in rows.items])


def _requester(handle: str) -> Account:
    requester = Account.objects.by_handle(handle).first()
    if requester is None:
        raise NotFound()
    return requester


@router.post("me/follow_requests/{handle}/approve", response=Relationship)
def approve_request(request: HttpRequest, handle: str) -> dict[str, Any]:
    account = current_account(request)
    requester = _requester(handle)
    services.approve_follow_request(account, requester)
    return _relationship_with(account, requester)


@router.post("me/follow_requests/{handle}/decline", response=Relationship)
def decline_request(request: HttpRequest, handle: str) -> dict[str, Any]:
    account = current_account(request)
    requester = _requester(handle)
    services.decline_follow_request(account, requester)
    return _relationship_with(account, requester)


@router.get("relationships", response=list[Relationship])
def get_relationships(request: HttpRequest, handles: str = "") -> list[dict[str, Any]]:
    """How you stand with each of up to 40 comma-separated handles; unknown handles are left out."""
    viewer = current_account(request)
    wanted = [h.strip().lstrip("@").lower() for h in handles.split(",") if h.strip()]
    if not wanted:
        raise ValidationError("Give at least one handle.", code="handles_missing", field="handles")
    if len(wanted) > RELATIONSHIPS_MAX:
        raise ValidationError(
            f"Ask about at most {RELATIONSHIPS_MAX} handles at once.",
            code="too_many_handles",
            field="handles",
        )
    found = {
        a.handle.lower(): a
        for a in Account.objects.active()
        .local()
        .annotate(handle_lower=Lower("handle"))
        .filter(handle_lower__in=wanted)
    }
    accounts = [found[h] for h in dict.fromkeys(wanted) if h in found]
    rels = relationships(viewer, [a.pk for a in accounts])
    return [relationship_out(a, rels[a.pk]) for a in accounts]


# --- Other profiles ----------------------------------------------------------------------------------------


@router.get("{handle}", auth=None, response=AccountOut)
def get_account(request: HttpRequest, handle: str) -> dict[str, Any]:
    """A public profile (private profiles show it too; their posts and lists stay hidden)."""
    return account_out(access_account(_viewer(request), handle))


def _graph_list(
    request: HttpRequest,
    handle: str,
    direction: Literal["followers", "following"],
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    viewer = _viewer(request)
    account = access_account(viewer, handle)
    if not can_see_posts_of(viewer, account):
        raise Forbidden("This profile is private.", code="private_profile")
    visible = Account.objects.visible_to(viewer)
    if direction == "followers":
        qs = Follow.objects.filter(followee=account, follower__in=visible).select_related("follower")
    else:
        qs = Follow.objects.filter(follower=account, followee__in=visible).select_related("followee")
    rows = page_before(qs, parse_cursor(cursor), limit)
    people = [row.follower if direction == "followers" else row.followee for row in rows.items]
    return _page(rows, people)


@router.get("{handle}/followers", auth=None, response=AccountPage)
def list_followers(
    request: HttpRequest, handle: str, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """Who follows ``handle``, most recent follow first (``next_cursor`` pages on)."""
    return _graph_list(request, handle, "followers", cursor, limit)


@router.get("{handle}/following", auth=None, response=AccountPage)
def list_following(
    request: HttpRequest, handle: str, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """Whom ``handle`` follows, most recent follow first."""
    return _graph_list(request, handle, "following", cursor, limit)


@router.post("{handle}/follow", response=FollowResultOut)
def follow(request: HttpRequest, handle: str) -> dict[str, Any]:
    """Follow, or ask to follow a private profile (``state`` says which)."""
    viewer = current_account(request)
    target = access_account(viewer, handle)
    state = services.follow_account(viewer, target)
    return {"state": state, "relationship": _relationship_with(viewer, target)}


def _graph_action(action: Any, *, blocked_ok: bool = False) -> Any:
    def endpoint(request: HttpRequest, handle: str) -> dict[str, Any]:
        viewer = current_account(request)
        try:
            target = access_account(viewer, handle)
        except NotFound:
            if not blocked_ok:
                raise
            target = access_blocked_account(viewer, handle)
        action(viewer, target)
        return _relationship_with(viewer, target)

    endpoint.__doc__ = action.__doc__
    return endpoint


for _verb, _service, _blocked_ok in (
    ("unfollow", services.unfollow_account, False),
    ("block", services.block_account, True),
    ("unblock", services.unblock_account, True),
    ("mute", services.mute_account, False),
    ("unmute", services.unmute_account, False),
    ("restrict", services.restrict_account, False),
    ("unrestrict", services.unrestrict_account, False),
):
    router.post(
        f"{{handle}}/{_verb}", response=Relationship, url_name=f"accounts-{_verb}", operation_id=_verb
    )(_graph_action(_service, blocked_ok=_blocked_ok))


@router.put("{handle}/verified", response=AccountOut)
def set_verified(request: HttpRequest, handle: str, payload: VerifiedChange) -> dict[str, Any]:
    """Staff only: give or take the verified badge."""
    viewer = current_account(request)
    target = access_account(viewer, handle)
    return account_out(services.set_verified(viewer.user, target, payload.verified))
