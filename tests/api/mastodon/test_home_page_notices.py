"""What a server process hears of the database's notices of changed rows (spool.timelines.notices), and when
the home page cache trusts a page on them (spool.api.mastodon.page_cache): PostgreSQL only, on committed
data. The cache's behaviour for each kind of change is in tests/api/mastodon/test_home_page_cache.py
(its "heard" runs); these cover the listening itself: the race between a page's read and a notice, a lost
connection, the celebrity set changing, and how long a page is trusted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from spool.api.mastodon import page_cache
from spool.identities.services import update_profile
from spool.timelines import notices
from spool.timelines.celebrities import sync_celebrities
from spool.timelines.notices import Mark, ear

pytestmark = pytest.mark.django_db(transaction=True)

HOME = "/api/v1/timelines/home"


@pytest.fixture(autouse=True)
def _heard(request: pytest.FixtureRequest) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("the database announces changed rows on PostgreSQL only")
    request.getfixturevalue("notices_heard")
    page_cache.pages.clear()
    yield
    page_cache.pages.clear()


def _seen(notices_of_page: frozenset[str], mark: Mark | None) -> page_cache.Seen:
    """A remembered page whose facts name ``notices_of_page``, kept with ``mark``."""
    from spool.timelines.home import Heard, PageFacts
    from spool.timelines.versions import Versions, Window

    heard = Heard(None, None, notices_of_page)  # type: ignore[arg-type]  # only the notices are read here
    seen = page_cache.Seen()
    seen.kept(page_cache.page(PageFacts(Window([]), Versions(b""), heard), [], None), False, mark)
    return seen


def test_a_page_is_trusted_until_a_notice_names_one_of_its_rows(mastodon: Any) -> None:
    ana = mastodon("ana").account
    seen = _seen(frozenset({str(ana.id)}), ear.mark())
    assert seen.trusted()
    update_profile(ana, display_name="Ana B.")  # an UPDATE of her account's row, committed
    assert ear.caught_up()
    assert not seen.trusted()


def _announce(*payloads: str) -> None:
    with connection.cursor() as cursor:
        for payload in payloads:
            cursor.execute("SELECT pg_notify(%s, %s)", [notices.CHANNEL, payload])
    assert ear.caught_up()


def test_pages_that_share_a_row_are_each_untrusted_by_its_notice() -> None:
    """A notice named by one page is that page's entry in the index, by several a set of them: each page
    stays watched on its own rows as the others come and go."""
    first = _seen(frozenset({"1", "2"}), ear.mark())
    second = _seen(frozenset({"2", "3"}), ear.mark())
    third = _seen(frozenset({"2", "4"}), ear.mark())
    third.forget()  # no longer trusted: "2" is named by two pages again
    assert not third.trusted() and first.trusted() and second.trusted()
    _announce("3")
    assert first.trusted() and not second.trusted()  # "2" is now the first page's alone
    _announce("2")
    assert not first.trusted()
    assert len(page_cache.watching) == 0


def test_a_row_shared_by_pages_untrusts_all_of_them() -> None:
    pages = [_seen(frozenset({"7", str(n)}), ear.mark()) for n in range(100, 103)]
    assert all(seen.trusted() for seen in pages)
    _announce("101")
    assert [seen.trusted() for seen in pages] == [True, False, True]
    _announce("7")
    assert not any(seen.trusted() for seen in pages)
    assert len(page_cache.watching) == 0


def test_a_notice_heard_while_the_page_was_read_keeps_it_from_being_trusted(mastodon: Any) -> None:
    """The point is taken before the page is read; a change committed after it may be missing from the
    page, so a notice of it heard before the page is kept means the page is not trusted."""
    ana = mastodon("ana").account
    mark = ear.mark()
    assert mark is not None
    update_profile(ana, display_name="Ana B.")
    assert ear.caught_up()
    assert not _seen(frozenset({str(ana.id)}), mark).trusted()
    assert _seen(frozenset({"1"}), mark).trusted()  # a page of other rows is


def test_more_heard_meanwhile_than_is_kept_is_not_trusted() -> None:
    """Which rows the notices named is kept for the last ``RECENT`` only: past that, a page read meanwhile
    cannot tell, and is not trusted."""
    mark = ear.mark()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_notify(%s, 'x' || g) FROM generate_series(1, %s) g", [notices.CHANNEL, notices.RECENT]
        )
    assert ear.caught_up()
    assert _seen(frozenset({"1"}), mark).trusted()  # all still kept, none of them its row
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, 'y')", [notices.CHANNEL])
    assert ear.caught_up()
    assert not _seen(frozenset({"1"}), mark).trusted()


def test_a_lost_connection_starts_a_new_era(mastodon: Any) -> None:
    """Notices sent while nobody listens are lost: pages from before are not trusted again, and listening
    resumes on a connection of its own."""
    seen = _seen(frozenset({"1"}), ear.mark())
    assert seen.trusted()
    era = ear.era
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query = %s AND datname = current_database() AND pid <> pg_backend_pid()",
            [f"LISTEN {notices.CHANNEL}"],
        )  # this test database's listener only (others may be another test process's)
        assert cursor.fetchall() == [(True,)]
    deadline = time.monotonic() + 15
    while ear.era == era or not ear.listening:
        assert time.monotonic() < deadline, "did not listen again"
        time.sleep(0.05)
    assert not seen.trusted()
    assert ear.caught_up()
    assert _seen(frozenset({"1"}), ear.mark()).trusted()


def test_a_changed_set_of_celebrities_starts_a_new_era() -> None:
    seen = _seen(frozenset({"1"}), ear.mark())
    sync_celebrities(settings.SPOOL.fanout_threshold)
    assert ear.caught_up()
    assert not seen.trusted()


def test_a_page_is_confirmed_by_the_database_at_least_every_check_every(monkeypatch: Any) -> None:
    seen = _seen(frozenset({"1"}), ear.mark())
    kept_at = seen.confirmed_at
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: kept_at + page_cache.CHECK_EVERY - 1)
    assert seen.trusted()
    # Just past the edge: at it exactly, (kept_at + CHECK_EVERY) - kept_at may round to just under it.
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: kept_at + page_cache.CHECK_EVERY + 0.001)
    assert not seen.trusted()


def test_a_page_is_not_trusted_when_the_setting_is_off() -> None:
    seen = _seen(frozenset({"1"}), ear.mark())
    settings.SPOOL.page_notices = False
    assert not seen.trusted()
    assert page_cache.mark() is None


def test_a_warm_page_over_http_is_served_with_no_statement_and_a_like_is_seen(mastodon: Any) -> None:
    """Through the API: the third read of a warm page runs no statement; a like committed elsewhere is
    heard, and the next read shows it."""
    from django.test.utils import CaptureQueriesContext

    from spool.identities.services import follow_account
    from spool.posts.services import create_post, like_post
    from spool.timelines.stores import get_store

    if get_store().name != "redis":
        pytest.skip("the timeline store's window is read with the request on Redis only")
    ana, bo = mastodon("ana"), mastodon("bo")
    follow_account(ana.account, bo.account)
    post = create_post(bo.account, text="hello")
    for _ in range(2):  # rebuilt, then read and kept
        assert ana.get(HOME, limit=40).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        page = ana.get(HOME, limit=40).json()
    assert captured.captured_queries == []
    assert page[0]["favourites_count"] == 0
    like_post(bo.account, post.id)
    assert ear.caught_up()
    assert ana.get(HOME, limit=40).json()[0]["favourites_count"] == 1
