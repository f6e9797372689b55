"""Hidden words: writing filters (validation, ownership, all or nothing) and matching posts against them
and Spool's default list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.core.errors import NotFound, ValidationError
from spool.identities.models import FilterKeyword, FilterPost, WordFilter
from spool.identities.services import register_account
from spool.identities.services.word_filters import (
    KeywordChange,
    add_filter_keyword,
    add_filter_post,
    create_filter,
    delete_filter,
    delete_filter_keyword,
    delete_filter_post,
    set_hide_offensive_words,
    update_filter,
    update_filter_keyword,
)
from spool.identities.word_filters import DEFAULT_LIST_ID, hidden_ids, matching


@pytest.fixture
def make(db):
    def account(handle):
        return register_account(
            email=f"{handle}@example.com",
            password="correct horse battery staple",
            handle=handle,
            client_address=None,
        )

    return account


def test_a_filter_with_keywords_is_created_and_changed(make):
    ana = make("ana")
    f = create_filter(
        ana,
        title="Spoilers",
        context=["home", "public", "home"],
        action="hide",
        expires_in=3600,
        keywords=[KeywordChange("finale", True), KeywordChange("S03", False)],
    )
    assert f.context == ["home", "public"]
    assert f.expires_at > timezone.now() + timedelta(minutes=59)
    keywords = {k.keyword: k for k in f.keywords.all()}
    assert keywords["finale"].whole_word and not keywords["S03"].whole_word
    update_filter(
        ana,
        f.id,
        title="TV",
        expires_in=None,
        keywords=[
            KeywordChange(id=keywords["S03"].id, destroy=True),
            KeywordChange("finale!", None, keywords["finale"].id),
            KeywordChange("cliffhanger"),
        ],
    )
    f.refresh_from_db()
    assert (f.title, f.expires_at, f.action) == ("TV", None, "hide")
    assert sorted(f.keywords.values_list("keyword", "whole_word")) == [
        ("cliffhanger", True),
        ("finale!", True),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "", "context": ["home"]},
        {"title": "x" * 101, "context": ["home"]},
        {"title": "ok", "context": []},
        {"title": "ok", "context": ["everywhere"]},
        {"title": "ok", "context": ["home"], "action": "delete"},
        {"title": "ok", "context": ["home"], "expires_in": 0},
        {"title": "ok", "context": ["home"], "expires_in": "soon"},
        {"title": "ok", "context": ["home"], "keywords": [KeywordChange("")]},
        {"title": "ok", "context": ["home"], "keywords": [KeywordChange("k" * 101)]},
        {"title": "ok", "context": ["home"], "keywords": [KeywordChange("fine"), KeywordChange("a\x01b")]},
        {"title": "ok", "context": ["home"], "keywords": [KeywordChange("fine", "yes")]},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(make, fields):
    ana = make("ana")
    with pytest.raises(ValidationError):
        create_filter(ana, **fields)
    assert not WordFilter.objects.exists() and not FilterKeyword.objects.exists()


def test_a_bad_keyword_change_leaves_the_filter_as_it_was(make):
    ana = make("ana")
    f = create_filter(ana, title="A", context=["home"], keywords=[KeywordChange("one")])
    with pytest.raises(ValidationError):
        update_filter(ana, f.id, title="B", keywords=[KeywordChange("two"), KeywordChange(" ")])
    f.refresh_from_db()
    assert f.title == "A" and list(f.keywords.values_list("keyword", flat=True)) == ["one"]


def test_someone_elses_filter_keyword_and_post_are_not_found(make):
    ana, bo = make("ana"), make("bo")
    f = create_filter(ana, title="A", context=["home"], keywords=[KeywordChange("one")])
    keyword = f.keywords.get()
    row = add_filter_post(ana, f.id, 42)
    for attempt in (
        lambda: update_filter(bo, f.id, title="B"),
        lambda: delete_filter(bo, f.id),
        lambda: add_filter_keyword(bo, f.id, "two"),
        lambda: update_filter_keyword(bo, keyword.id, "two"),
        lambda: delete_filter_keyword(bo, keyword.id),
        lambda: add_filter_post(bo, f.id, 43),
        lambda: delete_filter_post(bo, row.id),
        lambda: update_filter(ana, f.id, keywords=[KeywordChange("x", id=12345)]),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert WordFilter.objects.get().title == "A"
    assert list(FilterKeyword.objects.values_list("keyword", flat=True)) == ["one"]
    assert list(FilterPost.objects.values_list("post_id", flat=True)) == [42]


def test_keywords_and_posts_are_added_and_removed(make):
    ana = make("ana")
    f = create_filter(ana, title="A", context=["home"])
    keyword = add_filter_keyword(ana, f.id, "word", False)
    assert (keyword.keyword, keyword.whole_word) == ("word", False)
    update_filter_keyword(ana, keyword.id, whole_word=True)
    keyword.refresh_from_db()
    assert keyword.whole_word
    row = add_filter_post(ana, f.id, 7)
    assert add_filter_post(ana, f.id, 7).id == row.id
    with pytest.raises(ValidationError):
        add_filter_post(ana, f.id, -1)
    assert delete_filter_post(ana, row.id).id == row.id
    delete_filter_keyword(ana, keyword.id)
    assert not FilterKeyword.objects.exists() and not FilterPost.objects.exists()
    delete_filter(ana, f.id)
    assert not WordFilter.objects.exists()


def test_matching_follows_case_word_boundaries_and_contexts(make):
    ana, bo = make("ana"), make("bo")
    create_filter(ana, title="Whole", context=["home"], keywords=[KeywordChange("cat", True)])
    create_filter(
        ana, title="Part", context=["public"], action="hide", keywords=[KeywordChange("dog", False)]
    )
    posts = [(1, bo.id, "A CAT sat"), (2, bo.id, "concatenate"), (3, bo.id, "hotdogs"), (4, ana.id, "my cat")]
    home = matching(ana, posts, "home")
    assert set(home) == {1}
    assert home[1][0].title == "Whole" and home[1][0].keywords == ("cat",) and home[1][0].action == "warn"
    public = matching(ana, posts, "public")
    assert set(public) == {3} and hidden_ids(public) == {3}
    assert matching(None, posts, "home") == {}
    assert matching(bo, posts, "home") == {}


def test_a_filter_matches_its_posts_and_stops_when_expired(make):
    ana, bo = make("ana"), make("bo")
    f = create_filter(ana, title="This one", context=["thread"], action="hide")
    add_filter_post(ana, f.id, 10)
    found = matching(ana, [(10, bo.id, "anything"), (11, bo.id, "anything")], "thread")
    assert set(found) == {10} and found[10][0].post_ids == ("10",)
    WordFilter.objects.filter(pk=f.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert matching(ana, [(10, bo.id, "anything")], "thread") == {}


def test_the_default_list_hides_until_switched_off(make):
    ana, bo = make("ana"), make("bo")
    posts = [(1, bo.id, "you are a RETARD"), (2, bo.id, "retardant chemicals")]
    found = matching(ana, posts, "notifications")
    assert set(found) == {1} and found[1][0].filter_id == DEFAULT_LIST_ID and hidden_ids(found) == {1}
    set_hide_offensive_words(ana, False)
    ana.refresh_from_db()
    assert matching(ana, posts, "home") == {}
    with pytest.raises(ValidationError):
        set_hide_offensive_words(ana, "on")
    ana.refresh_from_db()
    assert ana.hide_offensive_words is False
