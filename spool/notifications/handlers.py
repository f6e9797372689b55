"""Turns domain events into notifications, inside the transaction that caused them.

Handlers run in the publishing service's transaction (``subscribe`` without ``after_commit``), so a
notification exists exactly when the thing it reports exists: both commit or both roll back.

Rules, applied to every notification:

- nobody is notified of their own action;
- nothing crosses a block, in either direction;
- nothing reaches the recipient from someone they muted or restricted (Instagram semantics: a restricted
  person's interactions are not announced);
- notifications from a deactivated profile are not shown while it is deactivated (checked when read);
- a notification about a post is made only if the recipient may see that post (private profiles);
- a mention by an account on a limited ("silenced") server notifies only its followers;
- nothing about a post in a thread the recipient muted (``spool.posts.conversations.conversation_muted``);
- one notification per (recipient, actor, kind, post): liking, unliking and liking again leaves one;
- undoing an action (unlike, undo repost, unfollow, withdrawn request, deleted post) removes its notification.

A new post notifies each person at most once, by the most specific reason: reply (its parent's author), then
quote (the quoted post's author), then mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection
from django.db.models import Model, Q

from spool.core.compiled import compiled, delete_where
from spool.core.events import publish, subscribe
from spool.core.inserts import insert_unless
from spool.identities.events import (
    AccountDeleted,
    AccountDeleting,
    Blocked,
    Followed,
    FollowRequestDeclined,
    FollowRequested,
    FollowRequestWithdrawn,
    Unfollowed,
)
from spool.identities.models import Account, Block, Follow, Mute, Restrict
from spool.identities.servers import is_limited_domain
from spool.moderation.events import ModerationNotice
from spool.notifications.events import NotificationCreated
from spool.notifications.models import Kind, Notification
from spool.posts.access import may_see
from spool.posts.conversations import conversation_muted, conversation_muted_query
from spool.posts.events import (
    PollEnded,
    PostCreated,
    PostDeleted,
    PostEdited,
    PostLiked,
    PostReposted,
    PostUnliked,
    RepostUndone,
)


def connect() -> None:
    """Subscribe the notification handlers to the events they react to (called from ``AppConfig.ready``)."""
    subscribe(PostCreated, on_post_created)
    subscribe(PostEdited, on_post_edited)
    subscribe(PostDeleted, on_post_deleted)
    subscribe(PostLiked, on_post_liked)
    subscribe(PostUnliked, on_post_unliked)
    subscribe(PostReposted, on_post_reposted)
    subscribe(RepostUndone, on_repost_undone)
    subscribe(PollEnded, on_poll_ended)
    subscribe(Followed, on_followed)
    subscribe(Unfollowed, on_unfollowed)
    subscribe(FollowRequested, on_follow_requested)
    subscribe(FollowRequestWithdrawn, on_follow_request_withdrawn)
    subscribe(FollowRequestDeclined, on_follow_request_declined)
    subscribe(Blocked, on_blocked)
    subscribe(AccountDeleting, on_account_deleted)
    subscribe(AccountDeleted, on_account_deleted)
    subscribe(ModerationNotice, on_moderation_notice)


# --- Posts ----------------------------------------------------------------------------------------------


def on_post_created(event: PostCreated) -> None:
    notified: set[int] = set()
    if event.reply_to_author_id is not None:
        _notify_about_post(event.reply_to_author_id, event.author_id, Kind.REPLY, event.post_id, notified)
    if event.quote_of_author_id is not None:
        _notify_about_post(event.quote_of_author_id, event.author_id, Kind.QUOTE, event.post_id, notified)
    for account_id in _mention_recipients(event.author_id, event.mentioned_ids):
        _notify_about_post(account_id, event.author_id, Kind.MENTION, event.post_id, notified)


def _mention_recipients(author_id: int, mentioned_ids: Iterable[int]) -> list[int]:
    """Who a mention notifies: everyone mentioned, except that an account on a limited ("silenced") server
    notifies only the people who follow it."""
    mentioned = list(mentioned_ids)
    if not mentioned:
        return mentioned
    found = _DOMAIN.run(raw=True, id=author_id)
    domain = (found[0][0] if found else "") or ""
    if not is_limited_domain(domain):  # local authors ("") never are: no further query
        return mentioned
    followers = set(
        Follow.objects.filter(followee_id=author_id, follower_id__in=mentioned).values_list(
            "follower_id", flat=True
        )
    )
    return [account_id for account_id in mentioned if account_id in followers]


def on_post_edited(event: PostEdited) -> None:
    """People newly mentioned by an edit are notified, unless this post already notified them."""
    already = set(
        Notification.objects.filter(post_id=event.post_id, actor_id=event.author_id).values_list(
            "recipient_id", flat=True
        )
    )
    for account_id in _mention_recipients(event.author_id, event.new_mentioned_ids):
        _notify_about_post(account_id, event.author_id, Kind.MENTION, event.post_id, already)


def on_post_deleted(event: PostDeleted) -> None:
    Notification.objects.filter(post_id=event.post_id).delete()


def on_post_liked(event: PostLiked) -> None:
    _notify_about_post(
        event.post_author_id,
        event.account_id,
        Kind.LIKE,
        event.post_id,
        set(),
        author_id=event.post_author_id,
    )


def on_post_unliked(event: PostUnliked) -> None:
    _withdraw(Kind.LIKE, actor_id=event.account_id, post_id=event.post_id)


def on_post_reposted(event: PostReposted) -> None:
    _notify_about_post(
        event.post_author_id,
        event.account_id,
        Kind.REPOST,
        event.post_id,
        set(),
        author_id=event.post_author_id,
    )


def on_repost_undone(event: RepostUndone) -> None:
    _withdraw(Kind.REPOST, actor_id=event.account_id, post_id=event.post_id)


def on_poll_ended(event: PollEnded) -> None:
    """The author hears that their poll ended (from nobody: it is the clock's doing); each voter hears it from
    the author, under the same rules as any other notification."""
    if not event.author_id:  # the post is gone (nothing to tell anyone about)
        return
    own, created = Notification.objects.get_or_create(
        recipient_id=event.author_id, actor=None, kind=Kind.POLL_ENDED, post_id=event.post_id
    )
    if created:
        _announce(own)
    for voter_id in event.voter_ids:
        _notify_about_post(
            voter_id, event.author_id, Kind.POLL_ENDED, event.post_id, set(), author_id=event.author_id
        )


# --- Social graph ---------------------------------------------------------------------------------------


def on_followed(event: Followed) -> None:
    if event.via_request:
        # An approved request becomes a follow: "requested to follow you" becomes "started following you".
        _withdraw(Kind.FOLLOW_REQUEST, actor_id=event.follower_id, recipient_id=event.followee_id)
    _notify(event.followee_id, event.follower_id, Kind.FOLLOW)


def on_unfollowed(event: Unfollowed) -> None:
    _withdraw(Kind.FOLLOW, actor_id=event.follower_id, recipient_id=event.followee_id)


def on_follow_requested(event: FollowRequested) -> None:
    _notify(event.target_id, event.requester_id, Kind.FOLLOW_REQUEST)


def on_follow_request_withdrawn(event: FollowRequestWithdrawn) -> None:
    _withdraw(Kind.FOLLOW_REQUEST, actor_id=event.requester_id, recipient_id=event.target_id)


def on_follow_request_declined(event: FollowRequestDeclined) -> None:
    _withdraw(Kind.FOLLOW_REQUEST, actor_id=event.requester_id, recipient_id=event.target_id)


def on_blocked(event: Blocked) -> None:
    """A block erases what each of the two was told about the other."""
    Notification.objects.filter(
        Q(recipient_id=event.blocker_id, actor_id=event.blocked_id)
        | Q(recipient_id=event.blocked_id, actor_id=event.blocker_id)
    ).delete()


def on_account_deleted(event: AccountDeleting | AccountDeleted) -> None:
    Notification.objects.filter(Q(recipient_id=event.account_id) | Q(actor_id=event.account_id)).delete()


# --- Rules ----------------------------------------------------------------------------------------------


def on_moderation_notice(event: ModerationNotice) -> None:
    """Moderators' notices reach the person whatever they muted or blocked; there is no actor to show (the
    notice page, not the notification, names what was decided)."""
    _announce(Notification.objects.create(recipient_id=event.account_id, kind=Kind.MODERATION))


def _notify(recipient_id: int, actor_id: int, kind: str, post_id: int | None = None) -> bool:
    """Create one notification if the rules allow it (about a post: also not in a thread the recipient
    muted) and it does not exist yet; say whether it exists now.

    The rules and the look for an existing notification are asked inside the insert, one statement
    (:func:`~spool.core.inserts.insert_unless`; the inbox notifies with nearly every other activity, and
    the four statements this took were half of a like's). Only when nothing was inserted are the rules
    asked again, to tell "not allowed" from "exists already"."""
    if recipient_id == actor_id:
        return False
    relations = (_relations_sql(), _relations_params(recipient_id, actor_id))
    # The actions that notify are unique themselves (one like per person and post, …) and this runs in their
    # transaction, so checking first is enough to keep one notification per action.
    if post_id is not None:
        found = _NOTIFIED_OF_POST.subquery(recipient=recipient_id, actor=actor_id, kind=kind, post=post_id)
        rules = [relations, conversation_muted_query(recipient_id, post_id), found]
    else:
        rules = [relations, _NOTIFIED.subquery(recipient=recipient_id, actor=actor_id, kind=kind)]
    notification = Notification(recipient_id=recipient_id, actor_id=actor_id, kind=kind, post_id=post_id)
    if insert_unless(notification, *rules):  # its SQL written once (:mod:`spool.core.inserts`)
        _announce(notification)
        return True
    if post_id is not None and conversation_muted(recipient_id, post_id):
        return False
    return _may_notify(recipient_id, actor_id)  # allowed: it existed already


# Whether the notification exists already: asked by every like, repost, reply and follow, so compiled once
# per process (:mod:`spool.core.compiled`).
_NOTIFIED_OF_POST = compiled(
    lambda recipient, actor, kind, post: Notification.objects.filter(
        recipient_id=recipient, actor_id=actor, kind=kind, post_id=post
    ).values_list("id")[:1],
    ints=("recipient", "actor", "post"),
    strs=("kind",),
)
_NOTIFIED = compiled(
    lambda recipient, actor, kind: Notification.objects.filter(
        recipient_id=recipient, actor_id=actor, kind=kind, post__isnull=True
    ).values_list("id")[:1],
    ints=("recipient", "actor"),
    strs=("kind",),
)


def _announce(notification: Notification) -> None:
    publish(NotificationCreated(notification_id=notification.id, recipient_id=notification.recipient_id))


def _notify_about_post(
    recipient_id: int,
    actor_id: int,
    kind: str,
    post_id: int,
    notified: set[int],
    *,
    author_id: int | None = None,
) -> None:
    """Like :func:`_notify`, for a post (by ``author_id``, when known) the recipient must be able to see;
    skip people in ``notified`` and add the recipient to it once notified."""
    if recipient_id in notified or recipient_id == actor_id:
        return
    if not _may_see_post(recipient_id, post_id, author_id):
        return
    if _notify(recipient_id, actor_id, kind, post_id):
        notified.add(recipient_id)


def _withdraw(
    kind: str, *, actor_id: int, recipient_id: int | None = None, post_id: int | None = None
) -> None:
    equal: dict[str, int] = {}
    if recipient_id is not None:
        equal["recipient_id"] = recipient_id
    if post_id is not None:
        equal["post_id"] = post_id
    delete_where(Notification, kind=str(kind), actor_id=actor_id, **equal)


def _may_notify(recipient_id: int, actor_id: int) -> bool:
    """No block either way, and the recipient neither mutes nor restricts the actor. (A deactivated actor's
    notifications are left out when read, so they come back if the profile does.)

    One SQL statement over the three edge tables' unique indexes. It is written out because it runs inside
    every like, reply, repost and follow, and building the same three lookups through the ORM takes some
    sixty times longer than the database takes to answer them.
    """
    with connection.cursor() as cursor:
        cursor.execute(_relations_sql(), _relations_params(recipient_id, actor_id))
        return cursor.fetchone() is None


def _relations_params(recipient_id: int, actor_id: int) -> list[int]:
    """The parameters of :func:`_relations_sql`: block recipient→actor, block actor→recipient, mute,
    restrict."""
    return [recipient_id, actor_id, actor_id, recipient_id, recipient_id, actor_id, recipient_id, actor_id]


def _column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


@cache
def _relations_sql() -> str:
    """``SELECT 1`` if a block (either way), a mute or a restriction stands between recipient and actor."""
    parts = []
    for model, source, target, both_ways in (
        (Block, "blocker", "blocked", True),
        (Mute, "muter", "muted", False),
        (Restrict, "restricter", "restricted", False),
    ):
        pair = f"({_column(model, source)} = %s AND {_column(model, target)} = %s)"
        where = f"{pair} OR {pair}" if both_ways else pair
        parts.append(f"SELECT 1 FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where}")  # noqa: S608 - names from the models, values are parameters
    return " UNION ALL ".join(parts) + " LIMIT 1"


def _may_see_post(recipient_id: int, post_id: int, author_id: int | None = None) -> bool:
    """The recipient may see the post (private profiles, ghost posts, hidden and restricted replies, …):
    the one rule of :meth:`PostQuerySet.visible_to`. Authors see their own posts (likes and reposts are
    always about the recipient's own post; the actor's access was checked by the service)."""
    if author_id == recipient_id:
        return True
    return may_see(Account(id=recipient_id), post_id)


# Asked for every notification about a post (compiled once per process, :mod:`spool.core.compiled`).
_DOMAIN = compiled(lambda id: Account.objects.filter(pk=id).values_list("domain")[:1], ints=("id",))
