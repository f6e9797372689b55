"""Profiles (``/@handle`` with Threads / Replies / Reposts / Media tabs) and the buttons that change how the
viewer stands towards one: follow, unfollow, withdraw a request, block, mute, restrict and their undoing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from spool.communities.reads import memberships_of
from spool.core.errors import NotFound
from spool.federation.origins import account_origins
from spool.federation.policy import federates
from spool.feeds.custom.access import shared_feeds_of
from spool.feeds.custom.menu import pinned_among
from spool.identities.access import access_account, access_blocked_account, can_see_posts_of
from spool.identities.models import Account
from spool.identities.relationships import relationship
from spool.identities.services import (
    block_account,
    follow_account,
    mute_account,
    restrict_account,
    unblock_account,
    unfollow_account,
    unmute_account,
    unrestrict_account,
    withdraw_follow_request,
)
from spool.posts.timelines import PROFILE_TABS, profile_posts
from spool.web.views.base import is_htmx, redirect_back, signed_in, spool_errors, viewer_of
from spool.web.views.custom_feeds import feed_rows
from spool.web.views.feeds import render_feed

TAB_LABELS = {
    "threads": "Threads",
    "replies": "Replies",
    "reposts": "Reposts",
    "media": "Media",
    "feeds": "Feeds",
}
# The post tabs, then the person's shared custom feeds.
WEB_TABS = (*PROFILE_TABS, "feeds")


@spool_errors
@require_GET
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    viewer = viewer_of(request)
    tab = request.GET.get("tab") or "threads"
    if tab not in WEB_TABS:
        raise Http404
    try:
        account = access_account(viewer, handle)
    except NotFound:
        if viewer is None:
            raise
        # Someone the viewer blocked: a bare page with the Unblock button, nothing else of theirs.
        account = access_blocked_account(viewer, handle)
        blocked = {"account": account, "rel": relationship(viewer, account), "nav": "profile"}
        return render(request, "web/profile_blocked.html", blocked)
    visible = can_see_posts_of(viewer, account)
    posts_tab = visible and tab != "feeds"
    page = profile_posts(viewer, account, tab, request.GET.get("cursor")) if posts_tab else None
    context: dict[str, Any] = {
        "account": account,
        "rel": relationship(viewer, account),
        "can_see_posts": visible,
        "tab": tab,
        "tabs": [(key, TAB_LABELS[key]) for key in WEB_TABS],
        "nav": "profile" if viewer is not None and viewer.id == account.id else None,
        "memberships": memberships_of(account),
        # A remote profile links to its page on its own server, where its older posts are.
        "original_profile": _original_profile(account),
        # Following someone on another server needs one's own profile on the fediverse.
        "needs_sharing": viewer is not None and not account.is_local and not federates(viewer),
    }
    if visible and tab == "feeds":
        shared = shared_feeds_of(viewer, account)
        context["shared_feeds"] = feed_rows(shared, pinned_among(viewer, shared))
    if page is None:
        return render(request, "web/profile.html", context)
    return render_feed(request, "web/profile.html", page, context)


def _original_profile(account: Account) -> str:
    if account.is_local:
        return ""
    origin = account_origins([account.pk]).get(account.pk)
    return origin.url if origin is not None else ""


ACTIONS: dict[str, tuple[Callable[[Account, Account], Any], str]] = {
    "follow": (follow_account, ""),
    "unfollow": (unfollow_account, ""),
    "withdraw": (withdraw_follow_request, ""),
    "block": (block_account, "You blocked @{handle}. They can't see your profile or find you."),
    "unblock": (unblock_account, "You unblocked @{handle}."),
    "mute": (mute_account, "You muted @{handle}. Their posts won't show in your feeds."),
    "unmute": (unmute_account, "You unmuted @{handle}."),
    "restrict": (restrict_account, "You restricted @{handle}. Only they will see their replies to you."),
    "unrestrict": (unrestrict_account, "You unrestricted @{handle}."),
}


@signed_in
@spool_errors
@require_POST
def relationship_action(request: HttpRequest, handle: str) -> HttpResponse:
    viewer: Account = request.viewer  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    service, message = ACTIONS[action]
    target = _target(viewer, handle, action)
    service(viewer, target)
    if is_htmx(request) and action in ("follow", "unfollow", "withdraw"):
        context = {"account": target, "rel": relationship(viewer, target)}
        return render(request, "web/_follow_button.html", context)
    if message:
        messages.success(request, message.format(handle=target.acct))
    return redirect_back(request, f"/@{target.acct}")


def _target(viewer: Account, handle: str, action: str) -> Account:
    """The profile acted on. Blocks hide both sides from each other, so unblocking looks among the
    profiles the viewer blocks."""
    if action == "unblock":
        try:
            return access_blocked_account(viewer, handle)
        except NotFound:
            pass
    return access_account(viewer, handle)
