"""The public actor (``Account``) and the social graph between actors.

An Account belongs to a local ``User`` or, once federation exists, stands for a remote actor (no user, a
``domain``). Graph rows are one table per relation so each lookup is a single indexed query.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from spool.core.models import SnowflakeModel

_Q = TypeVar("_Q", bound=models.QuerySet)


def exclude_blocked(qs: _Q, viewer: Account | None, *, field: str = "id") -> _Q:
    """``qs`` without rows whose account ``field`` (e.g. ``"author_id"``) blocks ``viewer`` or is blocked by
    them. Two indexed anti-joins; no rows are loaded. Logged-out viewers see everything."""
    if viewer is None:
        return qs
    return qs.exclude(**{f"{field}__in": Block.objects.filter(blocker=viewer).values("blocked_id")}).exclude(
        **{f"{field}__in": Block.objects.filter(blocked=viewer).values("blocker_id")}
    )


def muted_ids(viewer: Account | None) -> models.QuerySet:
    """A subquery of the IDs of accounts ``viewer`` mutes (for feeds to leave out)."""
    if viewer is None:
        return Mute.objects.none().values("muted_id")
    return Mute.objects.filter(muter=viewer).values("muted_id")


class AccountQuerySet(models.QuerySet["Account"]):
    def active(self) -> AccountQuerySet:
        return self.filter(is_active=True)

    def local(self) -> AccountQuerySet:
        return self.filter(domain="")

    def by_handle(self, handle: str) -> AccountQuerySet:
        return self.filter(handle__iexact=handle.lstrip("@"), domain="")

    def by_acct(self, acct: str) -> AccountQuerySet:
        """The account named ``handle`` (local) or ``user@server`` (remote; ``user@`` this site's own domain
        is local), a leading ``@`` ignored — how profile URLs and Mastodon's ``acct`` name people."""
        user, _, domain = acct.lstrip("@").partition("@")
        domain = domain.lower()
        if not domain or domain == settings.SPOOL.domain.lower():
            return self.by_handle(user)
        return self.filter(handle__iexact=user, domain=domain)

    def visible_to(self, viewer: Account | None) -> AccountQuerySet:
        """Accounts ``viewer`` may see at all: active (not deactivated) and not blocked either way.
        Private accounts are included — their profile shows, their posts do not (see ``can_see_posts_of``)."""
        return exclude_blocked(self.filter(is_active=True), viewer)


def acct_of(handle: str, domain: str) -> str:
    """An account's ``acct`` (``handle``, or ``handle@domain`` for a remote one) from its two columns."""
    return f"{handle}@{domain}" if domain else handle


class Account(SnowflakeModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="account"
    )
    handle = models.CharField(max_length=30)
    domain = models.CharField(max_length=253, blank=True, default="", help_text="Empty for local accounts.")
    display_name = models.CharField(max_length=50, blank=True, default="")
    bio = models.CharField(max_length=150, blank=True, default="")
    links = models.JSONField(default=list, blank=True, help_text="Up to 5 {url, title} objects.")
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", null=True, blank=True)
    is_private = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False, help_text="Set by admins only.")
    is_active = models.BooleanField(default=True, help_text="False while deactivated or suspended.")
    suspended_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while moderators suspend the account (see spool.moderation)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    hide_offensive_words = models.BooleanField(
        default=True, help_text="Apply Spool's default list of offensive words (hidden words)."
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("handle"), "domain", name="account_handle_ci_unique")]

    def __str__(self) -> str:
        return self.acct

    @property
    def acct(self) -> str:
        return acct_of(self.handle, self.domain)

    @property
    def name(self) -> str:
        return self.display_name or self.handle

    @property
    def is_local(self) -> bool:
        return not self.domain


class _Edge(SnowflakeModel):
    """A directed edge ``source`` → ``target`` created at a moment (the ID encodes when)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Follow(_Edge):
    follower = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="following_edges")
    followee = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follower_edges")

    class Meta:
        constraints = [models.UniqueConstraint("follower", "followee", name="follow_unique")]
        indexes = [models.Index(fields=["followee", "id"]), models.Index(fields=["follower", "id"])]


class FollowRequest(_Edge):
    requester = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sent_follow_requests")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follow_requests")

    class Meta:
        constraints = [models.UniqueConstraint("requester", "target", name="follow_request_unique")]
        indexes = [models.Index(fields=["target", "id"])]


class Block(_Edge):
    blocker = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocking_edges")
    blocked = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocked_by_edges")

    class Meta:
        constraints = [models.UniqueConstraint("blocker", "blocked", name="block_unique")]


class Mute(_Edge):
    muter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muting_edges")
    muted = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muted_by_edges")

    class Meta:
        constraints = [models.UniqueConstraint("muter", "muted", name="mute_unique")]


class Restrict(_Edge):
    """Instagram-style soft block: the restricted person's replies to my posts are seen only by them."""

    restricter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="restricting_edges")
    restricted = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="restricted_by_edges")

    class Meta:
        constraints = [models.UniqueConstraint("restricter", "restricted", name="restrict_unique")]


# --- Hidden words (Mastodon: filters v2) --------------------------------------------------------------


class FilterAction(models.TextChoices):
    WARN = "warn", "Show with a warning"
    HIDE = "hide", "Hide completely"
    BLUR = "blur", "Hide media behind a warning"


class WordFilter(SnowflakeModel):
    """A person's hidden words: keywords (and single posts) that hide or flag posts in the chosen contexts
    (``home``, ``notifications``, ``public``, ``thread``, ``account``) until ``expires_at``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="word_filters")
    title = models.CharField(max_length=100)
    context = models.JSONField(default=list)
    action = models.CharField(max_length=4, choices=FilterAction.choices, default=FilterAction.WARN)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "id"])]


class FilterKeyword(SnowflakeModel):
    filter = models.ForeignKey(WordFilter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=100)
    whole_word = models.BooleanField(default=True)


class FilterPost(SnowflakeModel):
    """One post a filter applies to. ``post_id`` has no foreign key: posts sit above identities; a deleted
    post's row is harmless (nothing matches it) and goes with the filter."""

    filter = models.ForeignKey(WordFilter, on_delete=models.CASCADE, related_name="posts")
    post_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint("filter", "post_id", name="filter_post_unique")]


class SuggestionDismissal(_Edge):
    """``account`` asked not to be suggested ``dismissed`` again."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    dismissed = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("account", "dismissed", name="suggestion_dismissal_unique")]


class LimitedServer(SnowflakeModel):
    """Another server whose accounts are limited ("silenced", Mastodon's "limit"): their posts stay out of
    public and discovery surfaces except for the people who follow them, their follows need approval and
    their mentions notify only the people who follow them. Kept here, not with federation, because the read
    rules of posts and notifications apply it (see :mod:`spool.identities.servers`); moderators manage it
    through ``spool.federation.policy``. ``domain`` is the server's name as accounts carry it."""

    domain = models.CharField(max_length=253, unique=True)
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain
