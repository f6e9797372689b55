"""Domain events → outgoing activities.

Handlers subscribe *inside* the service's transaction: they build the activity while the rows exist and
queue its deliveries in the same transaction (see :mod:`spool.federation.delivery`), so what rolls back is
never sent and what commits is never lost. Only local accounts that federate send anything, and nothing
is echoed while applying an activity that came from another server (:mod:`spool.federation.context`).
"""

from __future__ import annotations

from typing import Any

from spool.core.compiled import compiled
from spool.core.events import subscribe
from spool.federation import ids
from spool.federation.context import applied_activity, applying_remote
from spool.federation.degrade import is_sent
from spool.federation.delivery import (
    deliver,
    inboxes_of,
    inboxes_of_known_servers,
    inboxes_that_received,
    remote_follower_inboxes,
)
from spool.federation.models import Delivery, DepartedKey, LocalKey, RemoteActor
from spool.federation.objects import actor_id, post_id_uri
from spool.federation.outbound.announce import announce
from spool.federation.outbound.block import block
from spool.federation.outbound.create import create
from spool.federation.outbound.delete import delete_note, delete_person
from spool.federation.outbound.follow import follow, follow_of
from spool.federation.outbound.like import like
from spool.federation.outbound.reject import reject
from spool.federation.outbound.undo import undo
from spool.federation.outbound.update import update_note, update_person
from spool.federation.outbound.vote import vote
from spool.federation.policy import federates, federating
from spool.federation.vocab import id_of
from spool.identities import events as graph
from spool.identities.models import Account
from spool.posts import events as posts
from spool.posts.models import PollOption, Post


def _local_sender(account_id: int) -> Account | None:
    if applying_remote():
        return None
    account = Account.objects.filter(pk=account_id, domain="").first()
    return account if account is not None and federates(account) else None


def _remote(account_id: int | None) -> Account | None:
    if account_id is None:
        return None
    return Account.objects.filter(pk=account_id).exclude(domain="").first()


def _post_recipients(post: Post) -> list[str]:
    extra = [_remote(post.reply_to_author_id), _remote(post.quote_of.author_id if post.quote_of else None)]
    extra += [m.account for m in post.mentions.select_related("account") if not m.account.is_local]
    return remote_follower_inboxes(post.author_id) + inboxes_of([a for a in extra if a is not None])


def on_post_created(event: posts.PostCreated) -> None:
    author = _local_sender(event.author_id)
    if author is None:
        return
    post = Post.objects.select_related("author", "topic", "reply_to__author", "quote_of__author").get(
        pk=event.post_id
    )
    if not is_sent(post):
        return  # ghost posts stay on Spool (they expire in 24 hours)
    deliver(create(post), author, _post_recipients(post), object_uri=ids.post_uri(post.id))


def on_post_edited(event: posts.PostEdited) -> None:
    author = _local_sender(event.author_id)
    if author is None:
        return
    post = Post.objects.select_related("author", "topic", "reply_to__author", "quote_of__author").get(
        pk=event.post_id
    )
    if not is_sent(post):
        return
    uri = ids.post_uri(post.id)
    deliver(update_note(post), author, _post_recipients(post) + inboxes_that_received(uri), object_uri=uri)


def on_post_deleted(event: posts.PostDeleted) -> None:
    if applying_remote():
        return
    author = Account.objects.filter(pk=event.author_id, domain="").first()
    if author is None:
        return
    uri = ids.post_uri(event.post_id)
    inboxes = inboxes_that_received(uri)
    if inboxes:  # everyone who received it hears it is gone, even if the author has since opted out
        deliver(delete_note(event.post_id, author.pk), author, inboxes, object_uri=uri)


def on_post_liked(event: posts.PostLiked) -> None:
    liker = _local_sender(event.account_id)
    owner = _remote(event.post_author_id) if liker is not None else None
    if liker is None or owner is None:
        return
    deliver(like(liker.pk, post_id_uri(event.post_id), event.post_id), liker, inboxes_of([owner]))


def on_post_unliked(event: posts.PostUnliked) -> None:
    liker = _local_sender(event.account_id)
    if liker is None:
        return
    post = Post.objects.filter(pk=event.post_id).select_related("author").first()
    if post is None or post.author.is_local:
        return
    inner = like(liker.pk, post_id_uri(post.id), post.id)
    deliver(undo(liker.pk, inner), liker, inboxes_of([post.author]))


def on_reposted(event: posts.PostReposted) -> None:
    reposter = _local_sender(event.account_id)
    if reposter is None:
        return
    owner = Account.objects.get(pk=event.post_author_id)
    activity = announce(reposter.pk, post_id_uri(event.post_id), event.repost_id, actor_id(owner))
    inboxes = remote_follower_inboxes(reposter.pk) + inboxes_of([owner])
    deliver(activity, reposter, inboxes, object_uri=activity["id"])


def on_repost_undone(event: posts.RepostUndone) -> None:
    reposter = _local_sender(event.account_id)
    if reposter is None or event.repost_id is None:
        return
    owner = Post.objects.filter(pk=event.post_id).values_list("author_id", flat=True).first()
    inner = announce(reposter.pk, post_id_uri(event.post_id), event.repost_id, "")
    inboxes = inboxes_that_received(inner["id"]) or remote_follower_inboxes(reposter.pk)
    remote_owner = _remote(owner)
    deliver(undo(reposter.pk, inner), reposter, inboxes + inboxes_of([remote_owner] if remote_owner else []))


def on_poll_voted(event: posts.PollVoted) -> None:
    """A local vote in a remote poll goes to the poll's author; any vote in a local poll sends the new
    counts (``Update`` of the ``Question``) to everyone who received it."""
    owner = _remote(event.post_author_id)
    if owner is not None:
        voter = _local_sender(event.voter_id)
        option = PollOption.objects.filter(poll_id=event.post_id, position=event.option_position).first()
        if voter is not None and option is not None:
            activity = vote(voter.pk, post_id_uri(event.post_id), actor_id(owner), option.text)
            deliver(activity, voter, inboxes_of([owner]))
        return
    author = Account.objects.filter(pk=event.post_author_id, domain="").first()
    if author is None or not federates(author):
        return
    post = Post.objects.select_related("author", "topic", "reply_to__author", "quote_of__author").get(
        pk=event.post_id
    )
    if not is_sent(post):
        return
    uri = ids.post_uri(post.id)
    deliver(update_note(post), author, inboxes_that_received(uri), object_uri=uri)


def on_followed(event: graph.Followed) -> None:
    """Local → remote: send ``Follow`` (unless this edge is an accepted request: the Follow went already).
    Remote → local: send ``Accept``."""
    if applying_remote():
        # Nothing of ours is echoed back; the Accept of a remote actor's follow is the one answer sent.
        _accept(event.followee_id, event.follower_id)
        return
    follower, followee = _remote(event.follower_id), _remote(event.followee_id)
    if follower is None and followee is not None and not event.via_request:
        sender = _local_sender(event.follower_id)
        if sender is not None:
            _send_about(follow(sender.pk, actor_id(followee)), sender, followee)
    elif follower is not None and followee is None:
        _accept(event.followee_id, follower.pk)


def _send_about(activity: dict[str, Any], sender: Account, target: Account) -> None:
    """Deliver an activity whose object is the remote ``target`` actor, recorded under the actor's URI
    so an ``Undo`` can name the very activity that was sent (see :func:`_sent_about`)."""
    deliver(activity, sender, inboxes_of([target]), object_uri=actor_id(target))


def _sent_about(sender: Account, target: Account, kind: str) -> dict[str, Any] | None:
    """The latest ``kind`` activity ``sender`` delivered about ``target``: an ``Undo`` carries it as sent
    (same id), since some servers match the undone activity by its id."""
    bodies = (
        Delivery.objects.filter(object_uri=actor_id(target), sender_id=sender.pk)
        .order_by("-id")
        .values_list("body", flat=True)[:20]
    )
    return next((b for b in bodies if isinstance(b, dict) and b.get("type") == kind), None)


def _accept(local_id: int, follower_id: int) -> None:
    """``Accept`` the follow of local ``local_id`` (when it federates) by remote ``follower_id``, sent to
    the follower's inbox (their server's shared one when it has one, as :func:`inboxes_of` picks). Two
    compiled queries and the delivery row: every new follow the inbox applies sends one."""
    from spool.federation.outbound.accept import accept

    if not federating(local_id):
        return
    found = _REMOTE_ACTOR.run(account=follower_id)
    if not found:
        return  # not a remote actor we hold: nowhere to send it
    follower_uri, shared_inbox, inbox = found[0]
    inner = _follow_from(follower_uri, local_id)
    # ``deliver`` takes the sender for its id alone: no need to read the account.
    deliver(accept(local_id, inner), Account(pk=local_id), [shared_inbox or inbox])


_REMOTE_ACTOR = compiled(
    lambda account: (
        RemoteActor.objects.filter(account_id=account)
        .exclude(account__domain="")
        .values_list("uri", "shared_inbox", "inbox")[:1]
    ),
    ints=("account",),
)


def _follow_from(follower_uri: str, target_id: int) -> dict[str, Any]:
    """The ``Follow`` activity the remote follower sent us (its id matters to them): the one being applied
    now (:func:`~spool.federation.context.applied_activity`), else the latest stored, else a
    reconstruction."""
    from spool.federation.models import InboxItem

    target_uri = ids.actor_uri(target_id)
    applied = applied_activity()
    if (
        applied is not None
        and applied.get("type") == "Follow"
        and id_of(applied.get("actor")) == follower_uri
        and applied.get("object") == target_uri
    ):
        return applied
    for body in (
        InboxItem.objects.filter(activity_type="Follow", actor_uri=follower_uri)
        .order_by("-id")
        .values_list("body", flat=True)[:20]
    ):
        if isinstance(body, dict) and body.get("object") == target_uri:
            return body
    return {
        "id": f"{follower_uri}#follows/{target_id}",
        "type": "Follow",
        "actor": follower_uri,
        "object": target_uri,
    }


def on_follow_requested(event: graph.FollowRequested) -> None:
    target = _remote(event.target_id)
    sender = _local_sender(event.requester_id)
    if target is not None and sender is not None:
        _send_about(follow(sender.pk, actor_id(target)), sender, target)


def _undo_follow(sender: Account, target: Account) -> None:
    inner = _sent_about(sender, target, "Follow") or follow_of(sender.pk, target.pk, actor_id(target))
    deliver(undo(sender.pk, inner), sender, inboxes_of([target]))


def on_unfollowed(event: graph.Unfollowed) -> None:
    """Local stops following remote: ``Undo(Follow)``. Local removes a remote follower: ``Reject``."""
    if applying_remote():
        return  # both are our people's own actions (a remote Undo(Follow) is not answered)
    follower, followee = _remote(event.follower_id), _remote(event.followee_id)
    if follower is None and followee is not None:
        sender = _local_sender(event.follower_id)
        if sender is not None:
            _undo_follow(sender, followee)
    elif follower is not None and followee is None:
        sender = _local_sender(event.followee_id)
        if sender is not None:
            inner = _follow_from(actor_id(follower), sender.pk)
            deliver(reject(sender.pk, inner), sender, inboxes_of([follower]))


def on_request_withdrawn(event: graph.FollowRequestWithdrawn) -> None:
    target, sender = _remote(event.target_id), _local_sender(event.requester_id)
    if target is not None and sender is not None:
        _undo_follow(sender, target)


def on_request_declined(event: graph.FollowRequestDeclined) -> None:
    requester, sender = _remote(event.requester_id), _local_sender(event.target_id)
    if requester is not None and sender is not None:
        inner = _follow_from(actor_id(requester), sender.pk)
        deliver(reject(sender.pk, inner), sender, inboxes_of([requester]))


def on_blocked(event: graph.Blocked) -> None:
    target, sender = _remote(event.blocked_id), _local_sender(event.blocker_id)
    if target is not None and sender is not None:
        _send_about(block(sender.pk, actor_id(target)), sender, target)


def on_unblocked(event: graph.Unblocked) -> None:
    target, sender = _remote(event.blocked_id), _local_sender(event.blocker_id)
    if target is not None and sender is not None:
        inner = _sent_about(sender, target, "Block") or block(sender.pk, actor_id(target))
        deliver(undo(sender.pk, inner), sender, inboxes_of([target]))


def on_profile_updated(event: graph.ProfileUpdated) -> None:
    sender = _local_sender(event.account_id)
    if sender is not None:
        deliver(update_person(sender), sender, remote_follower_inboxes(sender.pk))


def on_account_deleting(event: graph.AccountDeleting) -> None:
    """A local account is being deleted: every server that knew it (its followers' servers, and every
    server it delivered to) gets a signed ``Delete(Person)``, even if it has since opted out. Runs before
    the rows go, inside the deleting transaction: the account's key is kept as a ``DepartedKey`` for the
    deliveries, which carry no sender (they would otherwise go with the account)."""
    if applying_remote():
        return
    account = Account.objects.filter(pk=event.account_id, domain="").first()
    key = LocalKey.objects.filter(account_id=event.account_id).first()
    if account is None or key is None:
        return  # never signed anything, so no server knows it
    inboxes = inboxes_of_known_servers(account.pk)
    if not inboxes:
        return
    key_id = ids.key_id(account.pk)
    DepartedKey.objects.update_or_create(key_id=key_id, defaults={"private_key_pem": key.private_key_pem})
    activity = delete_person(account.pk)
    deliver(activity, None, inboxes, object_uri=activity["object"], departed_key_id=key_id)


def connect() -> None:
    subscribe(posts.PostCreated, on_post_created)
    subscribe(posts.PostEdited, on_post_edited)
    subscribe(posts.PostDeleted, on_post_deleted)
    subscribe(posts.PostLiked, on_post_liked)
    subscribe(posts.PostUnliked, on_post_unliked)
    subscribe(posts.PostReposted, on_reposted)
    subscribe(posts.RepostUndone, on_repost_undone)
    subscribe(posts.PollVoted, on_poll_voted)
    subscribe(graph.Followed, on_followed)
    subscribe(graph.FollowRequested, on_follow_requested)
    subscribe(graph.Unfollowed, on_unfollowed)
    subscribe(graph.FollowRequestWithdrawn, on_request_withdrawn)
    subscribe(graph.FollowRequestDeclined, on_request_declined)
    subscribe(graph.Blocked, on_blocked)
    subscribe(graph.Unblocked, on_unblocked)
    subscribe(graph.ProfileUpdated, on_profile_updated)
    subscribe(graph.AccountDeleting, on_account_deleting)
