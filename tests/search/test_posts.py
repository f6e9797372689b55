"""Searching posts through the domain functions, on whichever database the suite runs on (SQLite FTS5 or
PostgreSQL full text): the same tests for both backends."""

from __future__ import annotations

import pytest
from django.db import connection

from spool.core.errors import ValidationError
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.identities.services.word_filters import KeywordChange, create_filter, set_hide_offensive_words
from spool.posts.services import delete_post, edit_post, like_post, repost_post, upload_media
from spool.search.backends import get_backend
from spool.search.reads import find_posts, search_posts
from tests.web.conftest import png_file


def ids(page):
    return [p.id for p in page.items]


def test_the_backend_follows_the_database():
    assert get_backend().name == ("postgresql" if connection.vendor == "postgresql" else "sqlite-fts5")


def test_recent_is_newest_first_and_every_word_must_match(people, post):
    ana = people("ana")
    first = post(ana, "The garden is blooming")
    post(ana, "garden only")
    second = post(ana, "Blooming GARDEN in May")
    assert ids(find_posts(None, "garden blooming", tab="recent")) == [second.id, first.id]
    assert ids(find_posts(None, "blooming", tab="recent")) == [second.id, first.id]


def test_phrases_or_and_exclusions(people, post):
    ana = people("ana")
    roses = post(ana, "red roses and white lilies")
    tulips = post(ana, "red tulips, white roses")
    weeds = post(ana, "red roses among the weeds")
    assert ids(find_posts(None, '"red roses"', tab="recent")) == [weeds.id, roses.id]
    assert ids(find_posts(None, '"red roses" -weeds', tab="recent")) == [roses.id]
    assert ids(find_posts(None, "lilies or tulips", tab="recent")) == [tulips.id, roses.id]
    assert ids(find_posts(None, "-roses", tab="recent")) == []


def test_topic_name_and_text_attachment_are_searchable(people, post):
    ana = people("ana")
    tagged = post(ana, "Look at this", topic="Sourdough")
    long = post(ana, "A recipe", attachment_text="Mix flour, water and a levain.")
    assert ids(find_posts(None, "sourdough", tab="recent")) == [tagged.id]
    assert ids(find_posts(None, "levain", tab="recent")) == [long.id]


def test_the_index_follows_edits_and_deletes(people, post, committed):
    ana = people("ana")
    written = post(ana, "apples are great")
    committed(edit_post, ana, written.id, text="pears are great")
    assert ids(find_posts(None, "apples", tab="recent")) == []
    assert ids(find_posts(None, "pears", tab="recent")) == [written.id]
    committed(delete_post, ana, written.id)
    assert ids(find_posts(None, "pears", tab="recent")) == []
    assert get_backend().indexed_ids([written.id]) == set()


def test_indexing_waits_for_the_commit(people, django_capture_on_commit_callbacks):
    from spool.posts.services import create_post

    ana = people("ana")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        written = create_post(ana, text="not yet searchable")
        assert get_backend().indexed_ids([written.id]) == set()
    assert pending  # the indexing task is enqueued on commit, not run inside the request's transaction
    for callback in pending:
        callback()
    assert get_backend().indexed_ids([written.id]) == {written.id}


def test_top_favours_engagement_recent_stays_chronological(people, post, committed):
    ana, bo = people("ana"), people("bo")
    fans = [people(f"fan{i}") for i in range(6)]
    popular = post(ana, "kite festival this weekend")
    quiet = post(bo, "kite festival is on")
    for fan in fans:
        like_post(fan, popular.id)
    repost_post(fans[0], popular.id)
    assert ids(find_posts(None, "kite festival", tab="top")) == [popular.id, quiet.id]
    assert ids(find_posts(None, "kite festival", tab="recent")) == [quiet.id, popular.id]


def test_tag_mode_finds_the_posts_of_a_topic(people, post):
    ana = people("ana")
    one = post(ana, "first", topic="Cooking")
    two = post(ana, "second about cooking")  # the word, not the topic
    three = post(ana, "third", topic="cooking")  # same topic, any case
    page = find_posts(None, "#COOKING", tab="recent")
    assert ids(page) == [three.id, one.id] and page.topic is not None and page.topic.display == "Cooking"
    assert ids(find_posts(None, "cooking", tab="recent")) == [three.id, two.id, one.id]
    assert ids(find_posts(None, "#Unknown", tab="recent")) == []


def test_media_filter(people, post):
    ana = people("ana")
    picture = post(
        ana, "sunset photo", media_ids=[upload_media(ana, png_file(), alt_text="an orange sky").id]
    )
    words = post(ana, "sunset words")
    assert ids(find_posts(None, "sunset", tab="recent", media="images")) == [picture.id]
    assert ids(find_posts(None, "sunset", tab="recent", media="none")) == [words.id]
    assert ids(find_posts(None, "sunset", tab="recent", media="video")) == []  # no video uploads yet
    assert ids(find_posts(None, "orange", tab="recent")) == [picture.id]  # alt text is indexed


def test_blocked_private_and_muted_never_appear(people, post):
    viewer, blocker, blocked, private, muted, fine = (
        people(h) for h in ("viewer", "blocker", "blocked", "private", "muted", "fine")
    )
    post(blocker, "secret lighthouse")
    post(blocked, "secret lighthouse")
    post(private, "secret lighthouse")
    post(muted, "secret lighthouse")
    kept = post(fine, "secret lighthouse")
    block_account(blocker, viewer)
    block_account(viewer, blocked)
    update_profile(private, is_private=True)
    mute_account(viewer, muted)
    for tab in ("top", "recent"):
        assert ids(find_posts(viewer, "lighthouse", tab=tab)) == [kept.id]
    follow_account(private, viewer)  # followed by, not following: still hidden
    assert ids(find_posts(viewer, "lighthouse", tab="recent")) == [kept.id]
    # Logged out: public posts only (mutes and blocks are nobody's).
    assert len(ids(find_posts(None, "lighthouse", tab="recent"))) == 4


def test_followers_see_private_posts(people, post):
    ana, bo = people("ana"), people("bo")
    update_profile(bo, is_private=True)
    secret = post(bo, "private picnic")
    follow_account(ana, bo)  # a request
    assert ids(find_posts(ana, "picnic", tab="recent")) == []
    from spool.identities.services import approve_follow_request

    approve_follow_request(bo, ana)
    assert ids(find_posts(ana, "picnic", tab="recent")) == [secret.id]
    assert ids(find_posts(bo, "picnic", tab="recent")) == [secret.id]


def test_hidden_words_custom_and_default_list(people, post):
    ana, bo = people("ana"), people("bo")
    kept = post(bo, "river walk at dawn")
    post(bo, "river walk, tickets on sale")
    rude = post(bo, "river walk retard")
    create_filter(ana, title="Ads", context=["public"], action="hide", keywords=[KeywordChange("sale")])
    for tab in ("top", "recent"):
        assert ids(find_posts(ana, "river walk", tab=tab)) == [kept.id]
    set_hide_offensive_words(ana, False)
    assert ids(find_posts(ana, "river walk", tab="recent")) == [rude.id, kept.id]
    # A warn filter does not hide; the author's own posts are never hidden from them.
    assert len(ids(find_posts(bo, "river walk", tab="recent"))) == 3


def test_recent_pages_with_a_cursor_without_gaps_or_repeats(people, post):
    ana = people("ana")
    made = [post(ana, f"pebble number {i}") for i in range(7)]
    seen, cursor = [], None
    while True:
        page = find_posts(None, "pebble", tab="recent", limit=3, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [p.id for p in reversed(made)]


def test_top_pages_rank_the_same_window(people, post):
    ana = people("ana")
    made = [post(ana, f"marble {i}") for i in range(5)]
    first = find_posts(None, "marble", tab="top", limit=2)
    post(ana, "a new marble arrives")  # after the first page: not part of this ranking
    rest, cursor = [], first.next_cursor
    while cursor:
        page = find_posts(None, "marble", tab="top", limit=2, cursor=cursor)
        rest += ids(page)
        cursor = page.next_cursor
    assert sorted(ids(first) + rest) == sorted(p.id for p in made)


def test_recent_skips_invisible_batches_and_still_pages(people, post, monkeypatch):
    from spool.search import reads

    # Small batches (a batch is at least four pages of one) so a few posts exhaust the rounds.
    monkeypatch.setattr(reads, "RECENT_BATCH", 1)
    monkeypatch.setattr(reads, "RECENT_ROUNDS", 2)
    ana, hidden = people("ana"), people("hidden")
    old = post(ana, "comet sighting")
    for _ in range(9):
        post(hidden, "comet sighting")
    update_profile(hidden, is_private=True)
    page = find_posts(None, "comet", tab="recent", limit=1)
    # Two rounds (five candidates, then four), all private: an empty page that says where to go on.
    assert page.items == [] and page.next_cursor
    found, cursor = [], page.next_cursor
    while cursor:
        page = find_posts(None, "comet", tab="recent", limit=1, cursor=cursor)
        found += ids(page)
        cursor = page.next_cursor
    assert found == [old.id]


def test_cards_for_pages(people, post):
    ana = people("ana")
    written = post(ana, "card me")
    page = search_posts(ana, "card", tab="recent")
    assert [c.id for c in page.items] == [written.id] and page.items[0].is_own


@pytest.mark.parametrize(
    "options",
    [
        {"q": ""},
        {"q": "x" * 201},
        {"q": "ok", "tab": "best"},
        {"q": "ok", "media": "gifs"},
        {"q": "ok", "tab": "recent", "cursor": "abc"},
        {"q": "ok", "tab": "top", "cursor": "12"},
        {"q": "ok", "tab": "top", "cursor": "1.99999"},
    ],
)
def test_bad_input_is_refused(people, options):
    with pytest.raises(ValidationError):
        find_posts(None, options.pop("q"), **options)
