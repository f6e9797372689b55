"""Community leaders: awarded by the periodic job from sustained, well-received participation, revoked when
it stops or the person is moderated. The job runs with explicit ``now`` timestamps; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.communities.leaders import MIN_ACTIVE_DAYS, MIN_ENGAGERS, MODERATED_SIGNALS, award_leaders
from spool.communities.models import Membership
from spool.communities.services import join_community, revoke_leader
from spool.identities.services import block_account, deactivate_account, mute_account
from spool.posts.models import Post
from spool.posts.services import create_post, like_post


def participate(author, days, *, topic="Gardening"):
    """Posts by ``author`` in the topic on ``days`` distinct UTC days up to now, newest first."""
    posts = []
    for day in range(days):
        post = create_post(author, text=f"day {day} in the garden", topic=topic)
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=day, minutes=1))
        posts.append(post)
    return posts


@pytest.fixture
def members(people, community):
    crowd = [people(f"m{n}") for n in range(MIN_ENGAGERS + 1)]
    for person in crowd:
        join_community(person, "gardeners")
    return crowd


def leaders():
    return sorted(
        Membership.objects.filter(leader_since__isnull=False).values_list("account__handle", flat=True)
    )


def cheer(posts, fans):
    for fan in fans:
        like_post(fan, posts[0].id)


def test_sustained_well_received_participation_earns_the_badge(people, members):
    lea, bo, cy, di = people("lea"), people("bo"), people("cy"), people("di")
    for person in (lea, bo, cy):
        join_community(person, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), members[:MIN_ENGAGERS])
    cheer(participate(bo, MIN_ACTIVE_DAYS), members[: MIN_ENGAGERS - 1])  # one fan short
    cheer(participate(cy, MIN_ACTIVE_DAYS - 1), members)  # one day short
    outsiders = [people(f"out{n}") for n in range(MIN_ENGAGERS)]
    cheer(participate(di, MIN_ACTIVE_DAYS), outsiders)  # not a member; nor are the fans
    changes = award_leaders(timezone.now())
    assert leaders() == ["lea"]
    assert [a for _, a in changes.awarded] == [lea.id]
    assert award_leaders(timezone.now()).awarded == []  # idempotent


def test_likes_from_outside_the_community_do_not_count(people, members):
    lea = people("lea")
    join_community(lea, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), [people(f"out{n}") for n in range(MIN_ENGAGERS)])
    award_leaders(timezone.now())
    assert leaders() == []


def test_the_badge_goes_when_participation_stops(people, members):
    lea = people("lea")
    join_community(lea, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), members)
    now = timezone.now()
    award_leaders(now)
    assert leaders() == ["lea"]
    changes = award_leaders(now + timedelta(days=30))
    assert leaders() == [] and [(a, why) for _, a, why in changes.revoked] == [(lea.id, "inactive")]


def test_too_many_blocks_or_mutes_revoke_the_badge(people, members):
    lea = people("lea")
    join_community(lea, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), members)
    award_leaders(timezone.now())
    critics = [people(f"critic{n}") for n in range(MODERATED_SIGNALS)]
    for n, critic in enumerate(critics):
        (block_account if n % 2 else mute_account)(critic, lea)
    changes = award_leaders(timezone.now())
    assert leaders() == [] and [why for _, _, why in changes.revoked] == ["moderation"]


def test_a_poor_ratio_of_negative_signals_keeps_the_badge_away(people, members):
    lea = people("lea")
    join_community(lea, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), members[:MIN_ENGAGERS])
    for n in range(2):  # 2 > 0.2 x 5 engagers
        block_account(people(f"critic{n}"), lea)
    award_leaders(timezone.now())
    assert leaders() == []


def test_deactivation_and_revoke_leader_take_the_badge_and_keep_it_away(people, members):
    lea, max_ = people("lea"), people("max")
    for person in (lea, max_):
        join_community(person, "gardeners")
        cheer(participate(person, MIN_ACTIVE_DAYS), members)
    award_leaders(timezone.now())
    assert leaders() == ["lea", "max"]
    assert revoke_leader(max_.id) == 1  # what moderation calls
    assert leaders() == ["lea"]
    award_leaders(timezone.now())
    assert leaders() == ["lea"]  # not awarded again so soon
    deactivate_account(lea)
    changes = award_leaders(timezone.now())
    assert leaders() == [] and [why for _, _, why in changes.revoked] == ["moderation"]


def test_the_badge_shows_on_posts_in_the_community_and_on_the_profile(people, members, anon):
    lea = people("lea")
    join_community(lea, "gardeners")
    cheer(participate(lea, MIN_ACTIVE_DAYS), members)
    award_leaders(timezone.now())
    page = anon.get("/c/gardeners?sort=recent").content.decode()
    assert page.count('class="tag tag-leader"') == MIN_ACTIVE_DAYS
    assert 'class="tag tag-leader"' in anon.get("/@lea").content.decode()
    assert 'class="tag tag-leader"' not in anon.get("/new").content.decode()
