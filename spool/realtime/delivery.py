"""Which groups hear of what: domain events turned into channel-layer messages, after commit only.

Groups are chosen generously from what is cheap to know (the author's followers, the post's topic); the
consumer of each connection re-checks, for its own viewer, that the post may be seen (blocks, mutes,
privacy, hidden replies) before sending anything. A post rolled back never reaches a handler here
(``subscribe(..., after_commit=True)``).

Follows of remote accounts are skipped: only local people hold connections here.

New posts applied in a batch (inbox activities, inside :func:`~spool.core.batching.batched_tasks`) are
announced together when the batch ends: their groups worked out with a few set-based queries for all of
them and pushed in one hop to the layer (:func:`~spool.realtime.push.push_each`); a batch's notifications
are pushed in that hop too (:func:`~spool.realtime.push.push_gathered`), its reposts (and undone reposts)
in one of their own, their groups worked out for all of them at once (:func:`_push_reposts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from channels.layers import get_channel_layer
from django.db.models import Exists, OuterRef, Q

from spool.core.batching import gather
from spool.core.compiled import compiled, id_list
from spool.core.events import subscribe
from spool.feeds.models import List, ListMember, RepliesPolicy
from spool.identities.models import Account, Follow
from spool.messaging.events import MessageEdited, MessageSent, MessageUnsent
from spool.notifications.events import NotificationCreated
from spool.posts.events import PostCreated, PostDeleted, PostEdited, PostReposted, RepostUndone
from spool.posts.models import Media, Post
from spool.realtime import listeners
from spool.realtime.groups import (
    Locality,
    direct_group,
    hashtag_group,
    home_group,
    list_group,
    notifications_group,
    public_group,
)
from spool.realtime.push import event_message, nobody_listens, push_each, push_gathered, push_many


def connect() -> None:
    """Subscribe the live-delivery handlers (called from ``RealtimeConfig.ready``)."""
    subscribe(PostCreated, on_post_created, after_commit=True)
    subscribe(PostEdited, on_post_edited, after_commit=True)
    subscribe(PostDeleted, on_post_deleted, after_commit=True)
    subscribe(PostReposted, on_post_reposted, after_commit=True)
    subscribe(RepostUndone, on_repost_undone, after_commit=True)
    subscribe(NotificationCreated, on_notification_created, after_commit=True)
    subscribe(MessageSent, on_conversation_changed, after_commit=True)
    subscribe(MessageEdited, on_conversation_changed, after_commit=True)
    subscribe(MessageUnsent, on_conversation_changed, after_commit=True)


def status_message(event: str, post_id: int, repost_id: int | None = None) -> dict[str, Any]:
    return {"type": "realtime.status", "event": event, "post_id": post_id, "repost_id": repost_id}


def home_groups(account_id: int) -> list[str]:
    """The home feeds a post or repost by ``account_id`` enters that someone may be listening to: the
    account's own and its local followers' (:func:`local_followers`)."""
    return [home_group(account_id), *(home_group(f) for f in local_followers([account_id])[account_id])]


def local_followers(
    authors: Iterable[int], followers_count: dict[int, int] | None = None
) -> dict[int, list[int]]:
    """Each author's local followers whose home feed a push should name. On the Redis layer, when fewer
    connections listen to a home feed than the authors have followers (``followers_count``, read here if
    not given), only the listening ones (:mod:`spool.realtime.listeners`): a query over the few listeners
    on the follows' unique index instead of one over every follower, then a look-up of their few groups,
    whatever the author's following. Otherwise (in-process, or most of the followers listening) every one.

    Exact either way: whoever is in a home group when the set of listeners is read is in that set."""
    wanted = set(authors)
    found: dict[int, list[int]] = defaultdict(list)
    if not wanted:
        return found
    layer = get_channel_layer()
    listening = None
    if listeners.registry(layer) is not None:
        if followers_count is None:
            followers_count = dict(Account.objects.filter(id__in=wanted).values_list("id", "followers_count"))
        listening = listeners.listening_now(layer, sum(followers_count.get(a, 0) for a in wanted))
    if listening is None:
        rows = _LOCAL_FOLLOWERS_OF.run(accounts=wanted)
    elif not listening:
        return found
    else:
        # A listener is a local account (its connection is to this site): no look at the follower's row.
        rows = _LISTENING_FOLLOWERS_OF.run(accounts=wanted, listening=listening)
    for followee, follower in rows:
        found[followee].append(follower)
    return found


# The reads of every repost and its undoing (the inbox applies many), compiled once per process.
_LISTS_OF = compiled(
    lambda account: List.objects.filter(members__account_id=account).values_list("id"), ints=("account",)
)
# The same for the reposters of a batch at once (:func:`_push_reposts`).
_LOCAL_FOLLOWERS_OF = compiled(
    lambda accounts: Follow.objects.filter(
        followee_id__in=id_list(accounts), follower__domain=""
    ).values_list("followee_id", "follower_id"),
    lists=("accounts",),
)
_LISTENING_FOLLOWERS_OF = compiled(
    lambda accounts, listening: Follow.objects.filter(
        followee_id__in=id_list(accounts), follower_id__in=id_list(listening)
    ).values_list("followee_id", "follower_id"),
    lists=("accounts", "listening"),
)
_LISTS_OF_ALL = compiled(
    lambda accounts: ListMember.objects.filter(account_id__in=id_list(accounts)).values_list(
        "account_id", "list_id"
    ),
    lists=("accounts",),
)


def list_groups(
    author_id: int, *, reply_to_author_id: int | None = None, is_reply: bool = False
) -> list[str]:
    """The lists a post by ``author_id`` shows in: every list holding the author, for replies only those
    whose replies policy lets it in (a reply to a member, or to someone the owner follows)."""
    if not is_reply:
        return [list_group(list_id) for (list_id,) in _LISTS_OF.run(account=author_id)]
    if reply_to_author_id is None:  # the parent is gone
        return []
    to_member = Exists(ListMember.objects.filter(list_id=OuterRef("pk"), account_id=reply_to_author_id))
    to_followed = Q(owner_id=reply_to_author_id) | Exists(
        Follow.objects.filter(follower_id=OuterRef("owner_id"), followee_id=reply_to_author_id)
    )
    lists = List.objects.filter(members__account_id=author_id).filter(
        (Q(replies_policy=RepliesPolicy.LIST) & to_member)
        | (Q(replies_policy=RepliesPolicy.FOLLOWED) & to_followed)
    )
    return [list_group(list_id) for list_id in lists.values_list("id", flat=True)]


def public_groups(locality: Locality, *, media: bool) -> list[str]:
    groups = [public_group("all"), public_group(locality)]
    if media:
        groups += [public_group("all", media=True), public_group(locality, media=True)]
    return groups


def post_groups(post_id: int) -> list[str]:
    """Every group a post is announced to: home feeds (top-level posts, as the home timeline shows them),
    lists, public streams (top-level posts of public profiles) and its topic's streams."""
    return posts_groups([post_id]).get(post_id, [])


class _Announced(NamedTuple):
    """What :func:`posts_groups` needs of a post: its row, its author's and its topic's, not the models
    (building three model instances per post cost more than the query)."""

    id: int
    author_id: int
    is_reply: bool
    reply_to_id: int | None
    reply_to_author_id: int | None
    author_is_local: bool
    author_is_private: bool
    author_followers_count: int
    topic_name: str | None


def posts_groups(post_ids: Iterable[int]) -> dict[int, list[str]]:
    """:func:`post_groups` of many posts, in at most four queries for all of them; posts deleted since are
    left out."""
    rows = Post.objects.filter(id__in=set(post_ids)).values_list(
        "id", "author_id", "is_reply", "reply_to_id", "reply_to_author_id", "author__domain",
        "author__is_private", "author__followers_count", "topic__name",
    )  # fmt: skip
    posts = [
        _Announced(pk, author, reply, parent, parent_author, not domain, private, count, topic)
        for pk, author, reply, parent, parent_author, domain, private, count, topic in rows
    ]
    if not posts:
        return {}
    top_level = [post for post in posts if not post.is_reply]
    authors = {post.author_id for post in posts}
    followers = local_followers(
        {post.author_id for post in top_level},
        {post.author_id: post.author_followers_count for post in top_level},
    )
    public = [post.id for post in top_level if not post.author_is_private]
    media = Media.objects.filter(post_id__in=public).values_list("post_id", flat=True) if public else ()
    with_media = set(media)
    parents = {post.reply_to_author_id for post in posts if post.is_reply}
    lists = _lists_of(authors, {author for author in parents if author is not None})
    found: dict[int, list[str]] = {}
    for post in posts:
        locality: Locality = "local" if post.author_is_local else "remote"
        groups = [list_group(list_id) for list_id in lists(post)]
        if not post.is_reply:
            groups += [home_group(post.author_id), *(home_group(f) for f in followers[post.author_id])]
            if not post.author_is_private:
                groups += public_groups(locality, media=post.id in with_media)
        if post.topic_name is not None:
            groups.append(hashtag_group(post.topic_name))
            if post.author_is_local:
                groups.append(hashtag_group(post.topic_name, local=True))
        found[post.id] = groups
    return found


def _lists_of(authors: set[int], parent_authors: set[int]) -> Any:
    """``lists(post)``: :func:`list_groups`'s list ids for each post by ``authors``, for replies (to
    ``parent_authors``) by the same replies policy, from at most two more queries."""
    memberships = list(
        ListMember.objects.filter(account_id__in=authors).values_list(
            "account_id", "list_id", "list__owner_id", "list__replies_policy"
        )
    )
    by_author: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for account_id, list_id, owner_id, policy in memberships:
        by_author[account_id].append((list_id, owner_id, policy))
    members: set[tuple[int, int]] = set()
    followed: set[tuple[int, int]] = set()
    if parent_authors and memberships:
        list_ids = {m[1] for m in memberships if m[3] == RepliesPolicy.LIST}
        owners = {m[2] for m in memberships if m[3] == RepliesPolicy.FOLLOWED}
        if list_ids:
            members = set(
                ListMember.objects.filter(list_id__in=list_ids, account_id__in=parent_authors).values_list(
                    "list_id", "account_id"
                )
            )
        if owners:
            followed = set(
                Follow.objects.filter(follower_id__in=owners, followee_id__in=parent_authors).values_list(
                    "follower_id", "followee_id"
                )
            )

    def lists(post: _Announced) -> list[int]:
        held = by_author[post.author_id]
        if not post.is_reply:
            return [list_id for list_id, _, _ in held]
        parent = post.reply_to_author_id if post.reply_to_id is not None else None
        if parent is None:  # the parent is gone
            return []
        return [
            list_id
            for list_id, owner, policy in held
            if (policy == RepliesPolicy.LIST and (list_id, parent) in members)
            or (policy == RepliesPolicy.FOLLOWED and (owner == parent or (owner, parent) in followed))
        ]

    return lists


def on_post_created(event: PostCreated) -> None:
    if nobody_listens():
        return
    if not gather(announce_posts, event.post_id):
        announce_posts([event.post_id])


def announce_posts(post_ids: list[int]) -> None:
    """Push new posts to the groups each enters, all in one hop."""
    groups = posts_groups(post_ids)
    new = [post_id for post_id in dict.fromkeys(post_ids) if post_id in groups]
    push_each((groups[post_id], status_message("update", post_id)) for post_id in new)


def on_post_edited(event: PostEdited) -> None:
    if nobody_listens():
        return
    push_many(post_groups(event.post_id), status_message("status.update", event.post_id))


def on_post_deleted(event: PostDeleted) -> None:
    """The ID goes wherever the post could have been shown (its topic is gone with it: topic streams are
    not told)."""
    if nobody_listens():
        return
    groups = home_groups(event.author_id) + list_groups(event.author_id)
    author = Account.objects.filter(id=event.author_id).first()
    if author is not None and not author.is_private:
        locality: Locality = "local" if author.is_local else "remote"
        groups += public_groups(locality, media=True)
    push_many(groups, event_message("delete", str(event.post_id)))


def on_post_reposted(event: PostReposted) -> None:
    if nobody_listens():
        return
    _push_repost(event.account_id, status_message("update", event.post_id, event.repost_id))


def on_repost_undone(event: RepostUndone) -> None:
    """The reblog (its status ID is the repost's) leaves the feeds it entered."""
    if nobody_listens():
        return
    if event.repost_id is not None:
        _push_repost(event.account_id, event_message("delete", str(event.repost_id)))


def _push_repost(account_id: int, message: dict[str, Any]) -> None:
    """``message`` to the feeds a repost by ``account_id`` enters (its home groups and lists); inside an
    inbox batch, kept for :func:`_push_reposts` of all of the batch's reposts when it ends."""
    if not gather(_push_reposts, (account_id, message)):
        push_many(home_groups(account_id) + list_groups(account_id), message)


def _push_reposts(reposts: list[tuple[int, dict[str, Any]]]) -> None:
    """Each (reposter, message) of a batch to the reposter's home groups and lists, worked out in two
    queries for all of them (three on the Redis layer: :func:`local_followers` reads their follower counts;
    two per repost when each was worked out apart: every Announce the inbox applies), pushed in one hop in
    the order they came."""
    accounts = {account_id for account_id, _ in reposts}
    followers = local_followers(accounts)
    lists: dict[int, list[int]] = defaultdict(list)
    for account_id, list_id in _LISTS_OF_ALL.run(accounts=accounts):
        lists[account_id].append(list_id)
    push_each(
        (
            [
                home_group(account_id),
                *(home_group(f) for f in followers[account_id]),
                *(list_group(list_id) for list_id in lists[account_id]),
            ],
            message,
        )
        for account_id, message in reposts
    )


def on_notification_created(event: NotificationCreated) -> None:
    push_gathered(
        [notifications_group(event.recipient_id)],
        {"type": "realtime.notification", "notification_id": event.notification_id},
    )


def on_conversation_changed(event: MessageSent | MessageEdited | MessageUnsent) -> None:
    """Mastodon's ``direct`` stream: each member hears that the conversation's newest state changed."""
    push_many(
        [direct_group(account_id) for account_id in event.audience],
        {"type": "realtime.conversation", "conversation_id": event.conversation_id},
    )
