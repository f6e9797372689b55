"""Hidden words on every surface of the web app and the native API (Following, What's new, topics,
profiles, replies in a thread, search), set on Settings → Hidden words. Mastodon's filters API is tested in
tests/api/mastodon/test_filters.py; the matching rules in tests/identities/test_word_filters.py."""

from __future__ import annotations

import pytest

from spool.identities.models import FilterKeyword, WordFilter
from spool.identities.services import follow_account
from spool.identities.services.word_filters import add_hidden_word

NATIVE = "/api/spool/v1/"


@pytest.fixture
def scene(people, post):
    """ana follows bo; bo writes a post and a reply with "zebra" in them, and one with a slur, beside
    harmless ones. Returns (ana, bo, ana's post bo replied to)."""
    ana, bo = people("ana"), people("bo")
    follow_account(ana, bo)
    post(bo, "Spotted a zebra today", topic="Animals")
    post(bo, "Spotted a giraffe today", topic="Animals")
    post(bo, "Spotted a retard today", topic="Animals")  # on Spool's default list
    root = post(ana, "What animals did you see?")
    post(bo, "a zebra, and a giraffe", reply_to_id=root.id)
    post(bo, "only a giraffe", reply_to_id=root.id)
    return ana, bo, root


def web_surfaces(bo, root):
    return {
        "following": "/",
        "whats new": "/new",
        "topic": "/topic/animals",
        "profile": f"/@{bo.handle}",
        "profile replies": f"/@{bo.handle}?tab=replies",
        "replies": f"/@ana/post/{root.id}",
        "search": "/search?q=spotted&tab=recent",
    }


def native_surfaces(bo, root):
    return {
        "following": NATIVE + "posts/feeds/home",
        "whats new": NATIVE + "posts/feeds/whats-new",
        "topic": NATIVE + "posts/feeds/topic/animals",
        "profile": NATIVE + f"posts/feeds/profile/{bo.handle}",
        "profile replies": NATIVE + f"posts/feeds/profile/{bo.handle}?tab=replies",
        "replies": NATIVE + f"posts/{root.id}/thread",
        "search": NATIVE + "search/posts?q=spotted&tab=recent",
    }


def test_words_hidden_on_the_settings_page_leave_every_surface(scene, login):
    ana, bo, root = scene
    c = login(ana)
    before = {name: c.get(url).content for name, url in web_surfaces(bo, root).items()}
    assert all(b"giraffe" in body for body in before.values()), before.keys()
    assert b"zebra" in before["following"] and b"zebra" in before["replies"]
    # The default list is on: the slur shows nowhere.
    assert not any(b"retard" in body for body in before.values())

    page = c.post("/settings/hidden-words", {"word": "Zebra"})
    assert page.status_code == 302
    for name, url in web_surfaces(bo, root).items():
        body = c.get(url).content
        assert b"zebra" not in body.lower(), name
        assert b"giraffe" in body, name
    for name, url in native_surfaces(bo, root).items():
        body = c.get(url).content
        assert b"zebra" not in body.lower(), name
        assert b"giraffe" in body, name


def test_turning_the_default_list_off_and_removing_a_word(scene, login):
    ana, _bo, _root = scene
    c = login(ana)
    c.post("/settings/hidden-words", {"word": "zebra"})
    assert c.post("/settings/hidden-words/default", {"enabled": "off"}).status_code == 302
    ana.refresh_from_db()
    assert ana.hide_offensive_words is False
    assert b"retard" in c.get("/new").content
    keyword = FilterKeyword.objects.get(filter__account=ana, keyword="zebra")
    assert c.post(f"/settings/hidden-words/{keyword.id}/remove").status_code == 302
    assert b"zebra" in c.get("/new").content
    page = c.get("/settings/hidden-words")
    assert (
        b"Turn on the default list" in page.content and b"You have not hidden any words yet" in page.content
    )


def test_emoji_and_phrases(people, post, login):
    ana, bo = people("ana"), people("bo")
    post(bo, "so tired of 🤡 politics")
    post(bo, "the hot take of the day")
    kept = post(bo, "a calm take")
    add_hidden_word(ana, "🤡")
    add_hidden_word(ana, "hot take")
    body = login(ana).get("/new").content.decode()
    assert "politics" not in body and "hot take" not in body and f"/post/{kept.id}" in body


def test_adding_twice_keeps_one_and_bad_words_are_refused_without_writing(people, login):
    ana = people("ana")
    c = login(ana)
    c.post("/settings/hidden-words", {"word": "spoilers"})
    c.post("/settings/hidden-words", {"word": "SPOILERS"})
    assert list(FilterKeyword.objects.filter(filter__account=ana).values_list("keyword", flat=True)) == [
        "spoilers"
    ]
    for bad in ("", "   ", "x" * 101, "bad\x01word"):
        page = c.post("/settings/hidden-words", {"word": bad})
        assert page.status_code == 422 and b'role="alert"' in page.content
    assert FilterKeyword.objects.filter(filter__account=ana).count() == 1
    assert WordFilter.objects.filter(account=ana).count() == 1


def test_others_words_cannot_be_removed_and_the_page_needs_a_sign_in(people, login, anon):
    ana, bo = people("ana"), people("bo")
    keyword = add_hidden_word(bo, "secret")
    assert login(ana).post(f"/settings/hidden-words/{keyword.id}/remove").status_code == 404
    assert FilterKeyword.objects.filter(pk=keyword.pk).exists()
    assert anon.get("/settings/hidden-words").status_code == 302
    assert login(ana).post("/settings/hidden-words/default", {"enabled": "maybe"}).status_code == 302
    ana.refresh_from_db()
    assert ana.hide_offensive_words is True  # refused with a message, nothing changed
