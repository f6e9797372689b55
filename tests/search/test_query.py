"""The query syntax, compiled for both backends (pure; no database)."""

from __future__ import annotations

import pytest

from spool.core.errors import ValidationError
from spool.search.query import MAX_QUERY, clean_query, parse_query, tag_of


def test_words_phrases_or_and_exclusions():
    parsed = parse_query('Garden "red roses" or tulips -weeds')
    assert parsed.groups == ((("garden",),), (("red", "roses"), ("tulips",)))
    assert parsed.excluded == (("weeds",),)
    assert parsed.websearch() == '"garden" "red roses" or "tulips" -"weeds"'
    assert parsed.fts5() == '(("garden") AND ("red roses" OR "tulips")) NOT ("weeds")'


@pytest.mark.parametrize("q", ['AND OR NOT "', "NEAR(a b)", "col:value", "a* ^b", '"unclosed'])
def test_operators_of_the_backends_are_only_words(q):
    # Nothing typed reaches a backend as syntax: every term is a quoted run of words.
    for group in parse_query(q).groups:
        for term in group:
            assert all(word.isalnum() for word in term)


def test_only_punctuation_or_only_exclusions_finds_nothing():
    assert parse_query("!!! ???").empty
    assert parse_query("-spam").empty


@pytest.mark.parametrize("q", ["", "   ", None, 42, "x" * (MAX_QUERY + 1), "a\x00b"])
def test_blank_odd_or_oversize_queries_are_refused(q):
    with pytest.raises(ValidationError):
        clean_query(q)


def test_tag_mode_is_one_hash_tag_alone():
    assert tag_of("#Cooking") == "Cooking"
    assert tag_of("#Slow cooking") == "Slow cooking"
    assert tag_of("cooking") is None
    assert tag_of("#a #b") is None
    assert tag_of("#") is None
