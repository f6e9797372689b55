"""The social graph: follow, follow requests, block, mute, restrict.

Every function runs in one transaction, is idempotent (doing it twice changes nothing the second time and
publishes nothing), keeps ``followers_count``/``following_count`` exact with in-SQL updates made only when an
edge row was really created or deleted (the unique constraints decide races), and publishes the events of
:mod:`spool.identities.events` inside that transaction.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Literal, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model

from spool.accounts.email_flows import require_confirmed_email
from spool.core import savepoints
from spool.core.compiled import compiled, delete_where
from spool.core.errors import Conflict, NotFound
from spool.core.events import publish
from spool.core.ratelimit import Limit, hit
from spool.identities.events import (
    Blocked,
    Followed,
    FollowRequestApproved,
    FollowRequestDeclined,
    FollowRequested,
    FollowRequestWithdrawn,
    Unblocked,
    Unfollowed,
)
from spool.identities.models import Account, Block, Follow, FollowRequest, LimitedServer, Mute, Restrict
from spool.identities.servers import configured_limited
from spool.identities.services._common import (
    COUNTER_FIELDS,
    lock_accounts,
    refresh_counters,
    require_active,
    require_other,
)

FollowResult = Literal["following", "requested"]
# New follows and follow requests per person (Mastodon's own cap is 400 a day); repeats are not counted.
FOLLOW_LIMIT = Limit("follows", 400, timedelta(hours=24))


# --- Edges with counters --------------------------------------------------------------------------------


def add_follow(follower_id: int, followee_id: int, *, via_request: bool = False) -> bool:
    """Create the follow edge and bump both counters; ``False`` when it already existed."""
    if is_following(follower_id, followee_id):
        return False
    return _insert_follow(follower_id, followee_id, via_request=via_request)


def _insert_follow(
    follower_id: int, followee_id: int, *, via_request: bool = False, refresh: tuple[Account, ...] = ()
) -> bool:
    """:func:`add_follow` once the caller found no edge (the unique constraint still decides a race).
    ``refresh``: accounts whose in-memory counters are brought up to date from the counter update (only
    when it returns ``True``: the edge was made here)."""
    try:
        with savepoints.atomic():
            Follow.objects.create(follower_id=follower_id, followee_id=followee_id)
    except IntegrityError:
        if is_following(follower_id, followee_id):
            return False  # a concurrent transaction made it first
        raise
    _count_follow(follower_id, followee_id, 1, refresh)
    publish(Followed(follower_id=follower_id, followee_id=followee_id, via_request=via_request))
    return True


def remove_follow(follower_id: int, followee_id: int, *, refresh: tuple[Account, ...] = ()) -> bool:
    """Delete the follow edge and lower both counters; ``False`` when there was none. ``refresh``: as for
    :func:`_insert_follow`."""
    deleted = delete_where(Follow, follower_id=follower_id, followee_id=followee_id)
    if deleted:
        _count_follow(follower_id, followee_id, -1, refresh)
        publish(Unfollowed(follower_id=follower_id, followee_id=followee_id))
    return bool(deleted)


def _count_follow(follower_id: int, followee_id: int, delta: int, refresh: tuple[Account, ...] = ()) -> None:
    """Add ``delta`` to the follower's ``following_count`` and the followee's ``followers_count``, never
    below zero. One statement written out (the inbox applies a follow or unfollow with nearly every tenth
    activity; Django compiling two ``F()`` updates took longer than running them). It returns both rows'
    counters, which bring those of the ``refresh`` accounts up to date (what :func:`refresh_counters` did
    with a second query)."""
    params = [follower_id, delta, delta, followee_id, delta, delta, follower_id, followee_id]
    with connection.cursor() as cursor:
        cursor.execute(_count_follow_sql(), params)
        rows = cursor.fetchall()
    by_id = {account.pk: account for account in refresh}
    for pk, *values in rows:
        if pk in by_id:
            for name, value in zip(COUNTER_FIELDS, values, strict=True):
                setattr(by_id[pk], name, value)


@cache
def _count_follow_sql() -> str:
    quote = connection.ops.quote_name
    pk = quote(str(Account._meta.pk.column))

    def bump(field: str) -> str:
        column = quote(str(Account._meta.get_field(field).column))  # type: ignore[union-attr]
        return f"{column} = CASE WHEN {pk} = %s AND {column} + %s >= 0 THEN {column} + %s ELSE {column} END"

    table = quote(Account._meta.db_table)
    counters = ", ".join(quote(str(Account._meta.get_field(name).column)) for name in COUNTER_FIELDS)  # type: ignore[union-attr]
    return (
        f"UPDATE {table} SET {bump('following_count')}, {bump('followers_count')} "  # noqa: S608 - names from the model, values are parameters
        f"WHERE {pk} IN (%s, %s) RETURNING {pk}, {counters}"
    )


def _lock_pair(actor: Account, target: Account) -> Account:
    """Lock both accounts (in ID order) and return ``target`` fresh; ``NotFound`` if it was deleted."""
    locked = lock_accounts([actor.pk, target.pk])
    if target.pk not in locked:
        raise NotFound()
    return locked[target.pk]


def is_following(follower_id: int, followee_id: int) -> bool:
    """Whether ``follower_id`` follows ``followee_id``."""
    return bool(_FOLLOWING.run(follower=follower_id, followee=followee_id))


# Asked often (by the notification and timeline rules, unfollows, limited servers' follows), compiled once per
# process (:mod:`spool.core.compiled`).
_FOLLOWING = compiled(
    lambda follower, followee: Follow.objects.filter(follower_id=follower, followee_id=followee).values_list(
        "id"
    )[:1],
    ints=("follower", "followee"),
)


# --- Follow -------------------------------------------------------------------------------------------------


class FollowOutcome(NamedTuple):
    """What :func:`follow_account_outcome` did: its answer, and whether ``actor`` followed ``target``
    already (found under the lock: nothing changed)."""

    result: FollowResult
    already_following: bool


def follow_account(actor: Account, target: Account) -> FollowResult:
    """:func:`follow_account_outcome`'s answer."""
    return follow_account_outcome(actor, target).result


def follow_account_outcome(actor: Account, target: Account) -> FollowOutcome:
    """Follow ``target``: a public profile is followed at once (``"following"``); a private one gets a follow
    request (``"requested"``), and so does a local profile followed by an account on a limited ("silenced")
    server it does not follow back. Already following or requested: same answer, nothing changes.

    Refuses yourself (422 ``cannot_follow_self``), a profile you block (409 ``blocking``) and, as
    ``NotFound`` so nothing leaks, a profile that blocks you or is deactivated. A new follow or request
    counts against ``FOLLOW_LIMIT`` (``RateLimited`` 429, nothing written past it). Locks ``target``'s row
    so the private/public decision cannot race a profile change or an approval. Publishes ``Followed`` or
    ``FollowRequested``. Refuses an unconfirmed email address when the server requires confirmation
    (403 ``email_unconfirmed``).
    """
    require_other(actor, target, "follow")
    require_active(actor)
    require_confirmed_email(actor.user_id)
    with savepoints.atomic():
        current = _lock_pair(actor, target)
        blocking, blocked_by, following, limited = _follow_checks(actor, current)
        if not current.is_active or blocked_by:
            raise NotFound()
        if blocking:
            raise Conflict(f"Unblock @{current.handle} to follow them.", code="blocking")
        if following:
            return FollowOutcome("following", already_following=True)
        # A stranger on a limited server (one ``current`` does not follow) asks first.
        needs_approval = current.is_private or (limited and not is_following(current.pk, actor.pk))
        if (
            needs_approval
            and FollowRequest.objects.filter(requester_id=actor.pk, target_id=target.pk).exists()
        ):
            return FollowOutcome("requested", already_following=False)
        hit(FOLLOW_LIMIT, actor.pk)
        if needs_approval:
            _, created = FollowRequest.objects.get_or_create(requester_id=actor.pk, target_id=target.pk)
            if created:
                publish(FollowRequested(requester_id=actor.pk, target_id=target.pk))
            return FollowOutcome("requested", already_following=False)
        # Not following: checked above, under the lock. The counter update refreshes both accounts' counters.
        if not _insert_follow(actor.pk, target.pk, refresh=(actor, target)):
            refresh_counters(actor, target)
    return FollowOutcome("following", already_following=False)


def _follow_checks(actor: Account, target: Account) -> tuple[bool, bool, bool, bool]:
    """What :func:`follow_account_outcome` decides on, in one statement (a remote follow of a local person
    is nearly every tenth activity the inbox applies; these were three): whether ``actor`` blocks
    ``target``, ``target`` blocks ``actor``, ``actor`` follows ``target``, and — for a remote ``actor``
    following a local ``target``, else ``False`` — whether ``actor``'s server is limited (as
    :func:`~spool.identities.servers.is_limited_domain` answers)."""
    domain = actor.domain.strip().lower() if target.is_local and not actor.is_local else ""
    configured = bool(domain) and domain in configured_limited()
    params: list[int | str] = [actor.pk, target.pk, target.pk, actor.pk, actor.pk, target.pk]
    ask_limited = bool(domain) and not configured
    if ask_limited:
        params.append(domain)
    with connection.cursor() as cursor:
        cursor.execute(_follow_checks_sql(ask_limited), params)
        rows = cursor.fetchall()
    blockers = {value for kind, value in rows if kind == 0}
    kinds = {kind for kind, _ in rows}
    return actor.pk in blockers, target.pk in blockers, 1 in kinds, configured or 2 in kinds


@cache
def _follow_checks_sql(ask_limited: bool) -> str:
    """:func:`_follow_checks`'s statement: rows ``(0, blocker)`` per block between the two, ``(1, 0)`` for
    the follow edge, ``(2, 0)`` for a stored limited server (only when ``ask_limited``). Parameters: actor,
    target, target, actor, actor, target (and the domain)."""
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    blocker, blocked = column(Block, "blocker"), column(Block, "blocked")
    sql = (
        f"SELECT 0, {blocker} FROM {table(Block)} "  # noqa: S608 - names from the models, values are parameters
        f"WHERE ({blocker} = %s AND {blocked} = %s) OR ({blocker} = %s AND {blocked} = %s) "
        f"UNION ALL SELECT 1, 0 FROM {table(Follow)} "
        f"WHERE {column(Follow, 'follower')} = %s AND {column(Follow, 'followee')} = %s"
    )
    if ask_limited:
        domain = column(LimitedServer, "domain")
        sql += f" UNION ALL SELECT 2, 0 FROM {table(LimitedServer)} WHERE {domain} = %s"  # noqa: S608
    return sql


def unfollow_account(actor: Account, target: Account) -> None:
    """Stop following ``target``; a pending follow request to them is withdrawn instead (what tapping
    "Requested" does). Nothing to undo: nothing happens. Publishes ``Unfollowed`` or
    ``FollowRequestWithdrawn``."""
    require_other(actor, target, "unfollow")
    with savepoints.atomic():
        _lock_pair(actor, target)
        if not remove_follow(actor.pk, target.pk, refresh=(actor, target)):
            _delete_request(actor.pk, target.pk, FollowRequestWithdrawn)
            refresh_counters(actor, target)


def remove_follower(actor: Account, follower: Account) -> None:
    """``actor`` makes ``follower`` stop following them (Mastodon's "remove from followers"); a pending
    request from them stays for ``decline_follow_request``. Not following: nothing happens. Publishes
    ``Unfollowed``."""
    require_other(actor, follower, "remove")
    with transaction.atomic():
        _lock_pair(actor, follower)
        remove_follow(follower.pk, actor.pk)
        refresh_counters(actor, follower)


def _delete_request(
    requester_id: int,
    target_id: int,
    event: type[FollowRequestWithdrawn] | type[FollowRequestDeclined],
) -> bool:
    deleted, _ = FollowRequest.objects.filter(requester_id=requester_id, target_id=target_id).delete()
    if deleted:
        publish(event(requester_id=requester_id, target_id=target_id))
    return bool(deleted)


def approve_follow_request(target: Account, requester: Account) -> None:
    """``target`` accepts ``requester``'s pending request: the request becomes a follow. ``NotFound``
    (``no_follow_request``) when there is none. Publishes ``FollowRequestApproved`` and ``Followed``
    (``via_request=True``)."""
    with transaction.atomic():
        _lock_pair(requester, target)
        deleted, _ = FollowRequest.objects.filter(requester_id=requester.pk, target_id=target.pk).delete()
        if not deleted:
            raise _no_request(requester)
        add_follow(requester.pk, target.pk, via_request=True)
        publish(FollowRequestApproved(requester_id=requester.pk, target_id=target.pk))
        refresh_counters(target, requester)


def decline_follow_request(target: Account, requester: Account) -> None:
    """``target`` turns down ``requester``'s pending request (deleted; the requester may ask again).
    ``NotFound`` when there is none. Publishes ``FollowRequestDeclined``."""
    with transaction.atomic():
        if not _delete_request(requester.pk, target.pk, FollowRequestDeclined):
            raise _no_request(requester)


def withdraw_follow_request(requester: Account, target: Account) -> None:
    """``requester`` cancels their own pending request. ``NotFound`` when there is none. Publishes
    ``FollowRequestWithdrawn``."""
    with transaction.atomic():
        if not _delete_request(requester.pk, target.pk, FollowRequestWithdrawn):
            raise NotFound(
                f"You have no pending follow request to @{target.handle}.", code="no_follow_request"
            )


def _no_request(requester: Account) -> NotFound:
    return NotFound(f"There is no pending follow request from @{requester.handle}.", code="no_follow_request")


def approve_all_follow_requests(target: Account) -> int:
    """Approve every pending request to ``target`` (used when a private profile becomes public); returns how
    many. Call inside a transaction. Bulk writes: a fixed number of queries plus one
    event pair per request."""
    requester_ids = list(
        FollowRequest.objects.filter(target_id=target.pk).values_list("requester_id", flat=True)
    )
    if not requester_ids:
        return 0
    lock_accounts([target.pk, *requester_ids])
    FollowRequest.objects.filter(target_id=target.pk).delete()
    already = set(
        Follow.objects.filter(followee_id=target.pk, follower_id__in=requester_ids).values_list(
            "follower_id", flat=True
        )
    )
    new_ids = [rid for rid in requester_ids if rid not in already]
    Follow.objects.bulk_create([Follow(follower_id=rid, followee_id=target.pk) for rid in new_ids])
    Account.objects.filter(pk__in=new_ids).update(following_count=F("following_count") + 1)
    Account.objects.filter(pk=target.pk).update(followers_count=F("followers_count") + len(new_ids))
    for rid in new_ids:
        publish(Followed(follower_id=rid, followee_id=target.pk, via_request=True))
        publish(FollowRequestApproved(requester_id=rid, target_id=target.pk))
    return len(new_ids)


# --- Block, mute, restrict ------------------------------------------------------------------------------


def block_account(actor: Account, target: Account) -> None:
    """Block ``target``: follows and follow requests between the two are removed both ways (with their
    counters and events), and each disappears for the other (``visible_to``, ``access_account``). Publishes
    ``Blocked`` once. Mutes and restricts are kept, so unblocking restores them."""
    require_other(actor, target, "block")
    with transaction.atomic():
        _lock_pair(actor, target)
        _, created = Block.objects.get_or_create(blocker_id=actor.pk, blocked_id=target.pk)
        if created:
            remove_follow(actor.pk, target.pk)
            remove_follow(target.pk, actor.pk)
            _delete_request(actor.pk, target.pk, FollowRequestWithdrawn)
            _delete_request(target.pk, actor.pk, FollowRequestDeclined)
            publish(Blocked(blocker_id=actor.pk, blocked_id=target.pk))
        refresh_counters(actor, target)


def unblock_account(actor: Account, target: Account) -> None:
    """Remove the block (follows are not restored). Publishes ``Unblocked`` when there was one."""
    require_other(actor, target, "unblock")
    with transaction.atomic():
        deleted, _ = Block.objects.filter(blocker_id=actor.pk, blocked_id=target.pk).delete()
        if deleted:
            publish(Unblocked(blocker_id=actor.pk, blocked_id=target.pk))


def mute_account(actor: Account, target: Account) -> None:
    """Hide ``target``'s posts from ``actor``'s feeds without them knowing; follows are kept."""
    require_other(actor, target, "mute")
    with transaction.atomic():
        Mute.objects.get_or_create(muter_id=actor.pk, muted_id=target.pk)


def unmute_account(actor: Account, target: Account) -> None:
    require_other(actor, target, "unmute")
    with transaction.atomic():
        Mute.objects.filter(muter_id=actor.pk, muted_id=target.pk).delete()


def restrict_account(actor: Account, target: Account) -> None:
    """Restrict ``target``: their replies to ``actor``'s posts are seen only by themselves (the posts room
    applies this); they are not told."""
    require_other(actor, target, "restrict")
    with transaction.atomic():
        Restrict.objects.get_or_create(restricter_id=actor.pk, restricted_id=target.pk)


def unrestrict_account(actor: Account, target: Account) -> None:
    require_other(actor, target, "unrestrict")
    with transaction.atomic():
        Restrict.objects.filter(restricter_id=actor.pk, restricted_id=target.pk).delete()
