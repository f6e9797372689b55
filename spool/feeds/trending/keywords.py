"""Keywords of a post's text, as trending counts them: words and two-word phrases.

Pure: :func:`extract_terms` lower-cases the text, drops links, ``@mentions`` and ``#tags`` (topics trend
on their own), splits it into words (letters, with inner apostrophes or hyphens; digits alone are not
words), drops stop words (:mod:`.stop_words`) and words shorter than ``MIN_WORD`` or longer than
``MAX_WORD``, and returns the distinct remaining words plus every pair of them that stood next to each
other in the text ("solar eclipse") — at most ``MAX_TERMS`` a post, phrases and words in reading order.
A post counts once per term whatever it repeats, and the trending floors count distinct people, so one
person cannot lift a word.
"""

from __future__ import annotations

import re
import unicodedata

from spool.feeds.trending.stop_words import STOP_WORDS

MIN_WORD = 3
MAX_WORD = 30
MAX_TERMS = 40
MAX_TERM = 64  # characters, the column's size

# Links, mentions and tags are dropped; they and sentence punctuation end a phrase.
_DROPPED = re.compile(
    r"https?://\S+|www\.\S+|[@#][\w.@-]+|[.!?;:,()\[\]\"\u201c\u201d\u2014\u2013\u2026]", re.I
)
# A word: letters (any script), with apostrophes or hyphens inside; digits may follow letters ("covid19").
_WORD = re.compile(r"[^\W\d_](?:[\w]|['-](?=\w))*")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    return " ".join(text.split())


def normalize_term(text: str) -> str:
    """A keyword as stored and compared: NFKC, lower case, single spaces, curly apostrophes straight."""
    return _normalize(text)[:MAX_TERM]


def _words(text: str) -> list[str | None]:
    """The text's words in order, ``None`` where a dropped word breaks a phrase."""
    words: list[str | None] = []
    for chunk in _DROPPED.split(_normalize(text)):
        for match in _WORD.finditer(chunk):
            word = match.group().strip("-'")
            keep = MIN_WORD <= len(word) <= MAX_WORD and word not in STOP_WORDS
            words.append(word if keep else None)
        words.append(None)  # a link, mention or punctuation between two words ends a phrase
    return words


def extract_terms(text: str) -> list[str]:
    """The distinct keywords of ``text``: words, and phrases of two adjacent kept words; at most
    ``MAX_TERMS``."""
    words = _words(text)
    terms: dict[str, None] = {}
    for i, word in enumerate(words):
        if word is None:
            continue
        terms.setdefault(word)
        following = words[i + 1] if i + 1 < len(words) else None
        if following is not None and following != word:
            terms.setdefault(f"{word} {following}")
    return list(terms)[:MAX_TERMS]
