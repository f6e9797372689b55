"""The home page cache (spool.api.mastodon.page_cache): a warm page served again only while nothing it was
made from changed. Each test warms the page (the second request is served from the cache: only the
fingerprint's statements run), makes one kind of change, and checks that the next page — asked through the
cache — equals the page rendered with the cache off and shows the change.

Every test runs twice: with pages *checked* by statement, and (PostgreSQL + Redis) with pages *heard*:
trusted on the database's notices of changed rows (spool.timelines.notices), on committed data, where a
warm page is served with no statement at all and only a notice can tell it changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from spool.api.mastodon import page_cache
from spool.feeds.lists import add_list_members, create_list
from spool.identities.services import (
    block_account,
    deactivate_account,
    follow_account,
    mute_account,
    reactivate_account,
    restrict_account,
    unfollow_account,
    unmute_account,
    update_profile,
)
from spool.moderation.services import grant_role, take_action
from spool.posts.models import LinkCard, Post, Topic
from spool.posts.services import (
    create_post,
    like_post,
    mute_conversation,
    pin_post,
    repost_post,
    save_post,
    undo_repost,
    unlike_post,
    unsave_post,
)
from spool.posts.services.edit import delete_post, edit_post
from spool.timelines import notices
from spool.timelines.celebrities import THRESHOLD, sync_celebrities

HOME = "/api/v1/timelines/home"


@pytest.fixture(autouse=True)
def _empty_page_cache() -> Iterator[None]:
    page_cache.pages.clear()
    yield
    page_cache.pages.clear()


# How pages are told unchanged in the running test: "checked" (by statement) or "heard" (on notices).
_how = {"now": "checked"}


# Heard: on committed data (notices are announced at commit).
@pytest.fixture(
    autouse=True, params=["checked", pytest.param("heard", marks=pytest.mark.django_db(transaction=True))]
)
def how(request: pytest.FixtureRequest) -> Iterator[str]:
    _how["now"] = request.param
    if request.param == "checked":
        yield "checked"
        return
    from spool.timelines.stores import get_store

    if connection.vendor != "postgresql" or get_store().name != "redis":
        pytest.skip("pages are trusted on notices on PostgreSQL with the Redis timeline store only")
    sync_celebrities(settings.SPOOL.fanout_threshold)  # the set the notices of new entries are made from
    request.getfixturevalue("notices_heard")
    try:
        yield "heard"
    finally:
        _how["now"] = "checked"


def _settle() -> None:
    """Heard: every notice committed so far heard before the next request (no-op when checked)."""
    if _how["now"] == "heard":
        assert notices.ear.caught_up()


@contextmanager
def _committed() -> Iterator[None]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


@contextmanager
def _page_cache(entries: int) -> Iterator[None]:
    saved = settings.SPOOL
    settings.SPOOL = saved.model_copy(update={"home_page_cache": entries})
    try:
        yield
    finally:
        settings.SPOOL = saved


def _home(caller: Any) -> list[dict[str, Any]]:
    _settle()
    return _get(caller)


def _get(caller: Any) -> list[dict[str, Any]]:
    response = caller.get(HOME, limit=40)
    assert response.status_code == 200
    return response.json()


def _statements(caller: Any) -> tuple[list[dict[str, Any]], list[str]]:
    _settle()
    with CaptureQueriesContext(connection) as captured:
        page = _get(caller)
    return page, [q["sql"] for q in captured.captured_queries]


# A page served from the cache: none when heard (unless the set of celebrities was made for another
# threshold: such pages are checked); when checked, the registry with the versions (PostgreSQL), or the
# registry, the timeline store's read (SQL store only) and the versions (SQLite).
def _hit_statements() -> int:
    from spool.timelines.stores import get_store

    if connection.vendor == "postgresql":
        return 0 if _how["now"] == "heard" and _celebrities_made_for_threshold() else 1
    return 3 if get_store().name == "sql" else 2


def _celebrities_made_for_threshold() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT threshold FROM {THRESHOLD}")  # noqa: S608
        return cursor.fetchone() == (settings.SPOOL.fanout_threshold,)


def _is_hit(statements: list[str]) -> bool:
    """No page statement ran (its visibility rule reads the viewer's mutes; the fingerprint does not)."""
    return not any("identities_mute" in s for s in statements)


def _warm(caller: Any) -> list[dict[str, Any]]:
    """The page, read (the first read rebuilds the timeline: not kept), read and kept, then served from the
    cache."""
    _home(caller)
    first = _home(caller)
    again, statements = _statements(caller)
    assert _is_hit(statements), statements
    if _how["now"] == "heard":  # served on notices alone: no statement (checked: see _hit_statements)
        assert len(statements) <= _hit_statements(), statements
    assert again == first
    return again


def _next(caller: Any) -> list[dict[str, Any]]:
    """The next page through the cache, checked against the page rendered with the cache off."""
    page, statements = _statements(caller)
    assert not _is_hit(statements)  # the change was seen: the page was read again
    with _page_cache(0):
        assert page == _home(caller)
    # Remembered anew (a status whose cached rendering changed is first rendered in full, and such a page
    # is not kept: the one after is).
    _home(caller)
    assert _is_hit(_statements(caller)[1])
    return page


def _by_id(page: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in page}


def _reblogged(page: list[dict[str, Any]]) -> set[str]:
    return {s["reblog"]["id"] for s in page if s["reblog"]}


@pytest.fixture
def people(mastodon: Any) -> Any:
    """ana follows bo and cy; dan (not followed) posted ``dans`` which cy reposted; bo posted ``bos``."""
    ana, bo, cy, dan = mastodon("ana"), mastodon("bo"), mastodon("cy"), mastodon("dan")
    with _committed():
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        bos = create_post(bo.account, text="by bo")
        dans = create_post(dan.account, text="by dan")
        repost_post(cy.account, dans.id)
    return ana, bo, cy, dan, bos, dans


def test_a_warm_page_is_served_by_the_fingerprint_alone(people: Any) -> None:
    ana, *_ = people
    _home(ana)  # the timeline is rebuilt: not kept
    first = _home(ana)
    page, statements = _statements(ana)
    assert page == first
    assert len(statements) == _hit_statements()
    assert _is_hit(statements)
    with _page_cache(0):
        assert _home(ana) == page


def test_like_and_unlike(people: Any) -> None:
    ana, _, cy, _, bos, _ = people
    _warm(ana)
    like_post(ana.account, bos.id)
    status = _by_id(_next(ana))[str(bos.id)]
    assert status["favourited"] is True and status["favourites_count"] == 1
    unlike_post(ana.account, bos.id)
    like_post(cy.account, bos.id)
    status = _by_id(_next(ana))[str(bos.id)]
    assert status["favourited"] is False and status["favourites_count"] == 1


def test_repost_and_undo(people: Any, mastodon: Any) -> None:
    ana, _, _, _, bos, _ = people
    eve = mastodon("eve")  # not followed: the repost is counted, not shown
    _warm(ana)
    repost_post(eve.account, bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["reblogs_count"] == 1
    undo_repost(eve.account, bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["reblogs_count"] == 0


def test_reply_count(people: Any, mastodon: Any) -> None:
    ana, _, _, _, bos, _ = people
    _warm(ana)
    with _committed():
        create_post(mastodon("eve").account, text="a reply", reply_to_id=bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["replies_count"] == 1


def test_edit(people: Any) -> None:
    ana, bo, _, _, bos, _ = people
    _warm(ana)
    edit_post(bo.account, bos.id, text="edited by bo")
    assert "edited by bo" in _by_id(_next(ana))[str(bos.id)]["content"]


def test_delete(people: Any) -> None:
    ana, bo, _, _, bos, _ = people
    _warm(ana)
    delete_post(bo.account, bos.id)
    assert str(bos.id) not in _by_id(_next(ana))


def test_new_followed_post_fanned_out(people: Any) -> None:
    ana, bo, *_ = people
    _warm(ana)
    with _committed():
        new = create_post(bo.account, text="new by bo")
    assert _next(ana)[0]["id"] == str(new.id)


def test_celebrity_post_merged_at_read(people: Any, mastodon: Any, monkeypatch: Any) -> None:
    ana, bo, *_ = people
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", 1)
    with _committed():
        follow_account(mastodon("fay").account, bo.account)  # bo now has 2 followers: not fanned out
    _warm(ana)
    with _committed():
        new = create_post(bo.account, text="merged at read")
    assert _next(ana)[0]["id"] == str(new.id)


def _fanout_threshold(monkeypatch: Any, threshold: int, sync: bool = True) -> None:
    """The setting, and (PostgreSQL, ``sync``) the set of accounts above it made for it, as
    ``manage.py sync_celebrities`` makes it (the test database's was made for the default)."""
    monkeypatch.setattr(settings.SPOOL, "fanout_threshold", threshold)
    if sync and connection.vendor == "postgresql":
        sync_celebrities(threshold)


def _celebrity_post(people: Any, mastodon: Any, monkeypatch: Any) -> int:
    """bo above the threshold (fay follows him too), ana's page warm, then a post by bo that is not fanned
    out: merged at read on ana's next page. Its ID."""
    ana, bo, *_ = people
    _fanout_threshold(monkeypatch, 1)
    with _committed():
        follow_account(mastodon("fay").account, bo.account)
    _warm(ana)
    with _committed():
        new = create_post(bo.account, text="merged at read")
    assert _next(ana)[0]["id"] == str(new.id)
    return int(new.id)


def test_an_account_crossing_the_threshold_is_merged_on_the_next_page(
    people: Any, mastodon: Any, monkeypatch: Any
) -> None:
    ana, bo, *_ = people
    _fanout_threshold(monkeypatch, 1)
    _warm(ana)
    with _committed():
        follow_account(mastodon("fay").account, bo.account)  # bo: 2 followers, no longer fanned out
        new = create_post(bo.account, text="after crossing")
    assert _next(ana)[0]["id"] == str(new.id)


def test_an_account_falling_below_the_threshold_is_no_longer_merged(
    people: Any, mastodon: Any, monkeypatch: Any
) -> None:
    ana, bo, *_ = people
    merged = _celebrity_post(people, mastodon, monkeypatch)
    with _committed():
        unfollow_account(mastodon("fay").account, bo.account)  # bo: 1 follower; the post was never fanned out
    assert str(merged) not in _by_id(_next(ana))


def test_unfollowing_a_celebrity_removes_their_posts(people: Any, mastodon: Any, monkeypatch: Any) -> None:
    ana, bo, *_ = people
    merged = _celebrity_post(people, mastodon, monkeypatch)
    with _committed():
        unfollow_account(ana.account, bo.account)
    assert str(merged) not in _by_id(_next(ana))


def test_a_changed_threshold_decides_before_the_set_is_made_for_it(
    people: Any, mastodon: Any, monkeypatch: Any
) -> None:
    """PostgreSQL: while the set of accounts above the threshold was made for another one, pages read the
    follower counts (and after ``sync_celebrities``, the set): bo, with 2 followers, is merged at 1, not
    at 5."""
    ana = people[0]
    merged = _celebrity_post(people, mastodon, monkeypatch)
    _fanout_threshold(monkeypatch, 5, sync=False)
    assert str(merged) not in _by_id(_next(ana))
    _fanout_threshold(monkeypatch, 5)
    with _page_cache(0):
        assert str(merged) not in _by_id(_home(ana))
    _fanout_threshold(monkeypatch, 1, sync=False)
    assert _next(ana)[0]["id"] == str(merged)


def test_follow_and_unfollow(people: Any, mastodon: Any) -> None:
    ana, bo, *_ = people
    eve = mastodon("eve")
    with _committed():
        by_eve = create_post(eve.account, text="by eve")
    _warm(ana)
    with _committed():
        unfollow_account(ana.account, bo.account)  # the store keeps bo's entries: only the rules change
    assert str(bos_id(people)) not in _by_id(_next(ana))
    with _committed():
        follow_account(ana.account, eve.account)
    assert str(by_eve.id) in _by_id(_next(ana))


def bos_id(people: Any) -> int:
    return int(people[4].id)


def test_mute_and_unmute(people: Any) -> None:
    ana, bo, _, _, bos, _ = people
    _warm(ana)
    mute_account(ana.account, bo.account)
    assert str(bos.id) not in _by_id(_next(ana))
    unmute_account(ana.account, bo.account)
    assert str(bos.id) in _by_id(_next(ana))


@pytest.mark.parametrize("by_viewer", [True, False], ids=["by the viewer", "of the viewer"])
def test_block(people: Any, by_viewer: bool) -> None:
    ana, _, _, dan, _, dans = people
    assert str(dans.id) in _reblogged(_warm(ana))
    blocker, blocked = (ana, dan) if by_viewer else (dan, ana)
    block_account(blocker.account, blocked.account)
    assert str(dans.id) not in _reblogged(_next(ana))


def test_restrict(people: Any, mastodon: Any) -> None:
    """dan replies to bo's post and cy reposts the reply; bo restricting dan hides the reply from ana."""
    ana, bo, cy, dan, bos, _ = people
    with _committed():
        reply = create_post(dan.account, text="dan replies", reply_to_id=bos.id)
        repost_post(cy.account, reply.id)
    assert str(reply.id) in _reblogged(_warm(ana))
    restrict_account(bo.account, dan.account)
    assert str(reply.id) not in _reblogged(_next(ana))


def test_author_goes_private(people: Any) -> None:
    ana, _, _, dan, _, dans = people
    assert str(dans.id) in _reblogged(_warm(ana))
    update_profile(dan.account, is_private=True)
    assert str(dans.id) not in _reblogged(_next(ana))


def test_author_deactivated(people: Any) -> None:
    ana, _, _, dan, _, dans = people
    assert str(dans.id) in _reblogged(_warm(ana))
    deactivate_account(dan.account)
    assert str(dans.id) not in _reblogged(_next(ana))


def test_reposter_deactivated_and_reactivated_with_the_repost_not_in_the_store(
    people: Any, mastodon: Any
) -> None:
    """Which appearance of a post shows depends on its newest repost by someone followed being active, even
    when that repost is not in the viewer's timeline: bo's post is hidden behind eve's repost (dropped
    from ana's store), shows when eve is deactivated and is hidden again when she comes back. Eve is
    nowhere else on the page: only the site's revision (bumped on ``is_active``) tells."""
    from spool.posts.models import Repost
    from spool.timelines.stores import Entry, get_store

    ana, _, _, _, bos, _ = people
    eve = mastodon("eve")
    with _committed():
        follow_account(ana.account, eve.account)
        repost_post(eve.account, bos.id)
    hidden = Repost.objects.get(account=eve.account, post_id=bos.id).id

    store = get_store()

    def only_the_post() -> None:
        """Bo's post in ana's store, eve's repost of it not (whatever fan-out and rebuilds put there)."""
        store.remove(ana.account.id, [hidden])
        store.add(ana.account.id, [Entry(bos.id, bos.id)])

    _home(ana)  # held (the first read rebuilds it)
    only_the_post()
    assert str(bos.id) not in _by_id(_warm(ana))
    with _committed():
        deactivate_account(eve.account)
    only_the_post()
    assert str(bos.id) in _by_id(_next(ana))
    with _committed():
        reactivate_account(eve.account)
    only_the_post()
    assert str(bos.id) not in _by_id(_next(ana))


def test_moderation_removal(people: Any, mastodon: Any) -> None:
    ana, _, _, _, bos, _ = people
    boss = mastodon("boss").account
    grant_role(None, boss, "admin")
    _warm(ana)
    take_action(boss, "post", bos.id, "remove", "Spam.")
    assert str(bos.id) not in _by_id(_next(ana))


def test_link_card_state(people: Any) -> None:
    ana, bo, *_ = people
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:  # the card is not fetched yet
        linked = create_post(bo.account, text="read https://example.com/page")
    with TestCase.captureOnCommitCallbacks(execute=True):
        for callback in callbacks:
            if "card" not in getattr(callback, "__qualname__", ""):
                callback()
    card_id = Post.objects.get(id=linked.id).card_id
    assert card_id is not None
    assert _by_id(_warm(ana))[str(linked.id)]["card"] is None
    # What the background fetch writes (spool.posts.services.cards.refresh_card), as one UPDATE.
    LinkCard.objects.filter(id=card_id).update(state=LinkCard.State.READY, title="The Page")
    assert _by_id(_next(ana))[str(linked.id)]["card"]["title"] == "The Page"


def test_topic_rename(people: Any) -> None:
    ana, bo, *_ = people
    with _committed():
        tagged = create_post(bo.account, text="about jazz", topic="jazz")
    _warm(ana)
    Topic.objects.filter(name="jazz").update(display="Jazz")  # a raw UPDATE escapes nothing either
    page = _next(ana)
    assert str(tagged.id) in _by_id(page)


def test_save_and_unsave(people: Any) -> None:
    ana, _, _, _, bos, _ = people
    _warm(ana)
    save_post(ana.account, bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["bookmarked"] is True
    unsave_post(ana.account, bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["bookmarked"] is False


def test_pin(people: Any) -> None:
    ana, *_ = people
    with _committed():
        mine = create_post(ana.account, text="by ana")
    _warm(ana)
    pin_post(ana.account, mine.id)
    assert _by_id(_next(ana))[str(mine.id)]["pinned"] is True


def test_conversation_mute(people: Any) -> None:
    ana, _, _, _, bos, _ = people
    _warm(ana)
    mute_conversation(ana.account, bos.id)
    assert _by_id(_next(ana))[str(bos.id)]["muted"] is True


def test_exclusive_list_member_added(people: Any) -> None:
    ana, _, cy, _, _, dans = people
    quiet = create_list(ana.account, title="Quiet", exclusive=True)
    assert str(dans.id) in _reblogged(_warm(ana))
    add_list_members(ana.account, quiet.id, [cy.account.id])
    assert str(dans.id) not in _reblogged(_next(ana))


def test_pages_with_a_poll_or_for_a_viewer_with_filters_are_not_kept(people: Any) -> None:
    from spool.identities.services.word_filters import KeywordChange, create_filter

    ana, *_ = people
    _warm(ana)
    create_filter(  # its first filter: not kept from now on
        ana.account, title="Weather", context=["home"], action="warn",
        keywords=[KeywordChange(keyword="weather")],
    )  # fmt: skip
    assert not _is_hit(_statements(ana)[1])
    assert len(page_cache.pages) == 0  # forgotten, and not kept again
    assert not _is_hit(_statements(ana)[1])
    page_cache.pages.clear()
    cy = people[2]
    with _committed():
        create_post(cy.account, text="a poll", poll_options=["yes", "no"])
    _home(cy)
    assert _home(cy) and len(page_cache.pages) == 0  # cy's own poll is rendered in full: not kept


def test_the_cache_keeps_at_most_its_setting(mastodon: Any) -> None:
    readers = [mastodon(f"r{n}") for n in range(3)]
    bo = mastodon("bo")
    with _committed():
        for reader in readers:
            follow_account(reader.account, bo.account)
        create_post(bo.account, text="for everyone")
    with _page_cache(2):
        for reader in readers:
            _home(reader)  # rebuilt: not kept
            _home(reader)
        assert len(page_cache.pages) == 2
        assert not _is_hit(_statements(readers[0])[1])  # the least recently used was dropped
        assert _is_hit(_statements(readers[2])[1])
    with _page_cache(0):
        page_cache.pages.clear()
        _home(readers[1])
        assert len(page_cache.pages) == 0
        assert not _is_hit(_statements(readers[1])[1])


def _reads_facts(statements: list[str]) -> bool:
    """Whether a page's facts (its versions) were read: the fingerprint reads the relation revisions."""
    return any("timelines_revisions" in s for s in statements)


def test_a_key_pays_for_its_facts_from_its_second_request(people: Any) -> None:
    ana, *_ = people
    first, statements = _statements(ana)
    assert not _reads_facts(statements)  # only marked seen
    again, statements = _statements(ana)
    assert _reads_facts(statements) and again == first
    assert _is_hit(_statements(ana)[1])


def test_a_page_that_changes_between_reads_is_left_alone_for_a_while(people: Any) -> None:
    ana, bo, _, _, bos, _ = people
    _warm(ana)
    # Every read sees a new like on bo's post: each check fails.
    for n in range(page_cache.STRIKES):
        with _committed():
            (like_post if n % 2 == 0 else unlike_post)(bo.account, bos.id)
        page, statements = _statements(ana)
        assert _reads_facts(statements) and not _is_hit(statements)
    for n in range(page_cache.BACKOFF):  # left alone: no facts read, the page as with the cache off
        with _committed():
            (like_post if n % 2 else unlike_post)(bo.account, bos.id)
        page, statements = _statements(ana)
        assert not _reads_facts(statements)
        with _page_cache(0):
            assert page == _home(ana)
    # Tried again: kept, then served while nothing changes (and the key is worth it again).
    assert _reads_facts(_statements(ana)[1])
    assert _is_hit(_statements(ana)[1])


def test_a_viewer_with_word_filters_is_left_alone(people: Any) -> None:
    from spool.identities.services.word_filters import KeywordChange, create_filter

    ana, *_ = people
    create_filter(
        ana.account, title="Weather", context=["home"], action="warn",
        keywords=[KeywordChange(keyword="weather")],
    )  # fmt: skip
    _home(ana)
    assert _reads_facts(_statements(ana)[1])  # tried once: cannot be kept
    for _ in range(page_cache.BACKOFF):
        assert not _reads_facts(_statements(ana)[1])
    assert _reads_facts(_statements(ana)[1])  # tried again, and left alone twice as long
    for _ in range(2 * page_cache.BACKOFF):
        assert not _reads_facts(_statements(ana)[1])


def test_a_key_left_alone_again_and_again_waits_at_most_max_backoff() -> None:
    """The wait doubles with each failed retry up to ``MAX_BACKOFF`` and stays there; a served page resets
    it (no database: the key's own bookkeeping)."""
    seen = page_cache.Seen()
    waits = []
    for _ in range(8):
        for _ in range(1 if seen.backoff else page_cache.STRIKES):  # a retry fails at once
            seen.failed()
        waits.append(seen.skip)
        while not seen.worth_reading():
            pass
    assert waits[0] == page_cache.BACKOFF
    assert waits == [min(page_cache.MAX_BACKOFF, page_cache.BACKOFF * 2**n) for n in range(8)]
    assert waits[-2] == waits[-1] == page_cache.MAX_BACKOFF  # reached, and not passed
    seen.served()
    for _ in range(page_cache.STRIKES - 1):
        seen.failed()
    assert seen.skip == 0 and seen.worth_reading()  # short of the strikes again: still read
    seen.failed()
    assert seen.skip == page_cache.BACKOFF
