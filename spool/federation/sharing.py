"""Fediverse sharing as a person switches it: joining, leaving, and what leaving takes away.

Joining only sets the flag (:func:`spool.federation.policy.set_federation` checks the profile is public);
from then on new posts, likes, reposts and follows travel. Leaving does what Threads promises when sharing is
turned off: every server that has the profile is asked to remove it and everything of it (a ``Delete`` of
the actor, which Mastodon and the others answer by removing the account and its posts), and the links to
fediverse accounts end on Spool too — they could not work any more, since nothing is sent or accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from spool.federation import ids
from spool.federation.delivery import deliver, inboxes_of, remote_follower_inboxes
from spool.federation.links import end_links
from spool.federation.models import Delivery, FederationOptIn
from spool.federation.outbound.delete import delete_person
from spool.federation.policy import federates, set_federation
from spool.identities.models import Account, Follow


@dataclass(frozen=True)
class FediverseLinks:
    """How far a profile reaches into the fediverse right now."""

    followers: int
    following: int
    servers: int


def fediverse_links_of(account: Account) -> FediverseLinks:
    """Counts of ``account``'s followers and followings on other servers, and how many servers hold its
    followers or received something from it (three queries)."""
    followers = Follow.objects.filter(followee_id=account.pk).exclude(follower__domain="")
    following = Follow.objects.filter(follower_id=account.pk).exclude(followee__domain="")
    servers = set(followers.values_list("follower__domain", flat=True))
    servers.update(Delivery.objects.filter(sender_id=account.pk).values_list("domain", flat=True).distinct())
    return FediverseLinks(followers=followers.count(), following=following.count(), servers=len(servers))


def change_fediverse_sharing(account: Account, enabled: bool) -> bool:
    """Turn fediverse sharing on or off for local ``account``; returns the new state.

    On: as :func:`set_federation` (409 ``private_profile`` for a private profile, 403 ``deactivated``).
    Off, when it was on: in one transaction, queues a ``Delete`` of the actor to every inbox that holds the
    account's followers, received anything from it or asked to follow it; then removes its followers on
    other servers, its follows of and its pending requests from fediverse accounts (nothing more is sent for
    those: the account no longer federates when they happen). Turning off what is off changes nothing. Takes
    the opt-in row's lock, so two changes at once apply one after the other."""
    with transaction.atomic():
        FederationOptIn.objects.select_for_update().filter(account_id=account.pk).first()
        was_on = federates(account)
        state = set_federation(account, enabled)
        if was_on and not state:
            _leave_fediverse(account)
    return state


def _leave_fediverse(account: Account) -> None:
    remote = Account.objects.exclude(domain="")
    # Whoever knows the actor: followers' servers, servers it sent anything to, and people asking to follow.
    inboxes = remote_follower_inboxes(account.pk)
    inboxes += Delivery.objects.filter(sender_id=account.pk).values_list("inbox", flat=True).distinct()
    inboxes += inboxes_of(remote.filter(sent_follow_requests__target_id=account.pk))
    if inboxes:
        # Sent even though the account has just stopped federating: it is the last thing it says.
        deliver(delete_person(account.pk), account, inboxes, object_uri=ids.actor_uri(account.pk))
    end_links(Account.objects.filter(pk=account.pk), remote)
