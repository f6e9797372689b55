"""The home timeline's hot path (cached statuses, spool.api.mastodon.entities.cached) answers what the full
renderer answers, and never serves a stale status: edits, deletions, count changes, blocks and mutes,
an author's new name or privacy show at once."""

from __future__ import annotations

from django.core.cache import cache
from django.test import TestCase

from spool.api.mastodon.entities import render_status_cards
from spool.feeds.lists import add_list_members, create_list
from spool.identities.services import block_account, follow_account, mute_account, update_profile
from spool.identities.services.word_filters import KeywordChange, create_filter
from spool.posts.services import (
    create_post,
    like_post,
    mute_conversation,
    pin_post,
    repost_post,
    save_post,
    undo_repost,
    unlike_post,
    unmute_conversation,
    unpin_post,
    unsave_post,
)
from spool.posts.services.edit import delete_post, edit_post
from spool.posts.timelines import home_posts

HOME = "/api/v1/timelines/home"


def _home(caller):
    response = caller.get(HOME, limit=40)
    assert response.status_code == 200
    return response.json()


def _by_id(statuses):
    return {s["id"]: s for s in statuses}


def test_cached_page_equals_the_full_rendering(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        posts = [create_post(bo.account, text=f"post {i} #jazz") for i in range(5)]
        create_post(ana.account, text="my own")
        like_post(ana.account, posts[0].id)
        repost_post(cy.account, posts[1].id)
    first = _home(ana)  # fills the cache
    cached = _home(ana)  # served from it
    expected = render_status_cards(ana.account, home_posts(ana.account, None, 40).items)
    assert first == cached == expected
    assert _by_id(cached)[str(posts[0].id)]["favourited"] is True


def test_edit_delete_and_counts_are_never_stale(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        kept = create_post(bo.account, text="before the edit")
        gone = create_post(bo.account, text="soon deleted")
    _home(ana)
    edit_post(bo.account, kept.id, text="after the edit")
    like_post(cy.account, kept.id)
    delete_post(bo.account, gone.id)
    page = _by_id(_home(ana))
    assert str(gone.id) not in page
    assert "after the edit" in page[str(kept.id)]["content"]
    assert page[str(kept.id)]["favourites_count"] == 1
    assert page[str(kept.id)]["edited_at"] is not None


def test_author_changes_blocks_and_mutes_show_at_once(mastodon):
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        by_bo = create_post(bo.account, text="by bo")
        by_cy = create_post(cy.account, text="by cy")
    _home(ana)
    update_profile(bo.account, display_name="Bo Renamed")
    page = _by_id(_home(ana))
    assert page[str(by_bo.id)]["account"]["display_name"] == "Bo Renamed"
    mute_account(ana.account, bo.account)
    block_account(ana.account, cy.account)
    page = _by_id(_home(ana))
    assert str(by_bo.id) not in page
    assert str(by_cy.id) not in page


FLAGS = ("favourited", "reblogged", "bookmarked", "muted", "pinned")


def test_a_first_rendering_takes_the_pins_and_muted_threads_from_the_page(mastodon):
    """Statuses rendered for the first time (nothing cached, as for a returning reader) carry the viewer's
    pin and muted thread, read with the page's rules; a quote's own thread is still asked for."""
    ana, bo = mastodon("ana"), mastodon("bo")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        theirs = create_post(bo.account, text="by bo")
        mine = create_post(ana.account, text="by ana")
        quoted = create_post(bo.account, text="quoted")
        mute_conversation(ana.account, theirs.id)
        mute_conversation(ana.account, quoted.id)
        pin_post(ana.account, mine.id)
    cache.clear()
    first = _by_id(_home(ana))
    assert first == _by_id(render_status_cards(ana.account, home_posts(ana.account, None, 40).items))
    assert _flags(first[str(theirs.id)]) == {"muted"}
    assert _flags(first[str(mine.id)]) == {"pinned"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        quoting = create_post(bo.account, text="look", quote_of_id=quoted.id)
    cache.clear()
    page = _by_id(_home(ana))
    assert page[str(quoting.id)]["quote"]["quoted_status"]["muted"] is True
    assert page == _by_id(render_status_cards(ana.account, home_posts(ana.account, None, 40).items))


def _flags(status):
    return {name for name in FLAGS if status[name]}


def test_the_viewers_own_flags_change_on_the_next_read(mastodon):
    """Liking, reposting, saving, muting a conversation and pinning (and undoing each) show on the very next
    page, with the counts they change; the flags are read with the page's rules, not cached."""
    ana, bo = mastodon("ana"), mastodon("bo")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        theirs = create_post(bo.account, text="by bo")
        mine = create_post(ana.account, text="by ana")
    first = _by_id(_home(ana))
    assert _flags(first[str(theirs.id)]) == _flags(first[str(mine.id)]) == set()
    with TestCase.captureOnCommitCallbacks(execute=True):
        like_post(ana.account, theirs.id)
        save_post(ana.account, theirs.id)
        mute_conversation(ana.account, theirs.id)
        pin_post(ana.account, mine.id)
    page = _by_id(_home(ana))
    assert _flags(page[str(theirs.id)]) == {"favourited", "bookmarked", "muted"}
    assert page[str(theirs.id)]["favourites_count"] == 1
    assert _flags(page[str(mine.id)]) == {"pinned"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        repost_post(ana.account, theirs.id)
    page = _home(ana)  # ana's own reblog is now the post's newest appearance
    reblogged = next(s["reblog"] for s in page if s["reblog"] and s["reblog"]["id"] == str(theirs.id))
    assert _flags(reblogged) == {"favourited", "bookmarked", "muted", "reblogged"}
    assert reblogged["reblogs_count"] == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        undo_repost(ana.account, theirs.id)
        unlike_post(ana.account, theirs.id)
        unsave_post(ana.account, theirs.id)
        unmute_conversation(ana.account, theirs.id)
        unpin_post(ana.account, mine.id)
    page = _by_id(_home(ana))
    assert _flags(page[str(theirs.id)]) == _flags(page[str(mine.id)]) == set()
    assert page[str(theirs.id)]["favourites_count"] == 0
    assert page[str(theirs.id)]["reblogs_count"] == 0


def test_new_hidden_words_and_exclusive_lists_apply_on_the_next_read(mastodon):
    """The home page reads whether the viewer has filters and who is in their exclusive lists on every
    request: a filter or an exclusive list made after a read applies to the next one."""
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        pickles = create_post(bo.account, text="all about pickles")
        other = create_post(bo.account, text="about the weather")
        by_cy = create_post(cy.account, text="by cy")
    assert {str(pickles.id), str(other.id), str(by_cy.id)} <= set(_by_id(_home(ana)))
    create_filter(
        ana.account, title="No pickles", context=["home"], action="hide",
        keywords=[KeywordChange(keyword="pickles")],
    )  # fmt: skip
    page = _by_id(_home(ana))
    assert str(pickles.id) not in page
    assert str(other.id) in page
    create_filter(
        ana.account, title="Weather", context=["home"], action="warn",
        keywords=[KeywordChange(keyword="weather")],
    )  # fmt: skip
    assert _by_id(_home(ana))[str(other.id)]["filtered"][0]["filter"]["title"] == "Weather"
    quiet = create_list(ana.account, title="Quiet", exclusive=True)
    add_list_members(ana.account, quiet.id, [cy.account.id])
    assert str(by_cy.id) not in _by_id(_home(ana))


def test_an_edit_that_adds_a_word_of_the_default_list_hides_the_post(mastodon):
    """Screening against the default word list is remembered per text: an edit is a new text."""
    from spool.identities.offensive_words import DEFAULT_OFFENSIVE_WORDS

    ana, bo = mastodon("ana"), mastodon("bo")
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        post = create_post(bo.account, text="a polite post")
    assert str(post.id) in _by_id(_home(ana))
    edit_post(bo.account, post.id, text=f"a post with {DEFAULT_OFFENSIVE_WORDS[0]} in it")
    assert str(post.id) not in _by_id(_home(ana))


def test_authors_and_reposters_profile_links_show_as_fields(mastodon):
    """Profile links (JSON) travel in the page's rows (binary results on PostgreSQL) and render as the
    account entity's fields, cached or not, for an author and for a reposter."""
    ana, bo, cy = mastodon("ana"), mastodon("bo"), mastodon("cy")
    update_profile(bo.account, links=[{"title": "Site", "url": "https://bo.example/"}])
    update_profile(cy.account, links=[{"url": "https://cy.example/"}])
    with TestCase.captureOnCommitCallbacks(execute=True):
        follow_account(ana.account, bo.account)
        follow_account(ana.account, cy.account)
        post = create_post(bo.account, text="linked")
        repost_post(cy.account, create_post(ana.account, text="mine").id)
    first, cached = _home(ana), _home(ana)
    assert first == cached
    by_id = {s["id"]: s for s in cached}
    assert [f["name"] for f in by_id[str(post.id)]["account"]["fields"]] == ["Site"]
    reblog = next(s for s in cached if s["reblog"] is not None)
    assert [f["name"] for f in reblog["account"]["fields"]] == ["cy.example/"]


def test_readers_of_the_same_post_each_get_their_own_status(mastodon):
    """A status finished for one reader (patched, wrapped, serialized: kept per process) is served to
    another only when everything it was made from is the same: the same post read by its author, by a
    reader who liked it and by one who did not, directly and as a repost, each equals the full rendering."""
    ana, bo, cy, di = mastodon("ana"), mastodon("bo"), mastodon("cy"), mastodon("di")
    with TestCase.captureOnCommitCallbacks(execute=True):
        for reader in (ana, cy):
            follow_account(reader.account, bo.account)
        follow_account(di.account, cy.account)
        post = create_post(bo.account, text="read by everyone")
        pin_post(bo.account, post.id)
        like_post(ana.account, post.id)
        repost_post(cy.account, post.id)
    for _ in range(2):  # the second time from the finished statuses
        for reader in (ana, bo, cy, di):
            expected = render_status_cards(reader.account, home_posts(reader.account, None, 40).items)
            assert _home(reader) == expected
    assert _by_id(_home(ana))[str(post.id)]["favourited"] is True
    assert [(s["reblog"] or s)["favourited"] for s in _home(cy)] == [False]  # as their own repost
    assert _by_id(_home(bo))[str(post.id)]["pinned"] is True
    assert _home(di)[0]["reblog"]["id"] == str(post.id)
