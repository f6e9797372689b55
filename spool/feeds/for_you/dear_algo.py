"""Reading a Dear Algo request ("show me more about cycling", "less politics, more #jazz and hiking") into
terms to lift and terms to lower. Deterministic word rules, no model. Pure.

Words that ask for more (``more``, ``show me``, ``give me``, ``I want`` …) or less (``less``, ``fewer``,
``no more``, ``not interested in``, ``stop showing``, ``don't show`` …) set the direction for what follows;
``and``, ``or``, commas and sentence ends separate terms; filler words (``posts``, ``about``, ``me`` …) are
dropped. A negation just before a "more" word keeps the direction "less" ("don't show me more politics").
A term is a topic key or a word or short phrase matched in a post's text (whole words, any case)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 10
MAX_TERM_WORDS = 3
MAX_TERM_CHARS = 50

_LESS = re.compile(
    r"\b(?:no\s+more|not\s+interested\s+in|stop\s+showing(?:\s+me)?|do\s*n[o']?t\s+show(?:\s+me)?"
    r"|less|fewer|hide|without|avoid|skip|no)\b"
)
_MORE = re.compile(r"\b(?:more|show\s+me|give\s+me|i\s+want|i'?d\s+like|i\s+would\s+like|see)\b")
_TOKENS = re.compile(r"__less__|__more__|#?[\w][\w'+-]*|[,.;!?\n]")
_FILLER = frozenset(
    {
        "a",
        "about",
        "algo",
        "an",
        "any",
        "anything",
        "around",
        "dear",
        "everything",
        "feed",
        "for",
        "from",
        "i",
        "in",
        "into",
        "just",
        "like",
        "lot",
        "lots",
        "me",
        "my",
        "of",
        "on",
        "please",
        "post",
        "posts",
        "really",
        "regarding",
        "related",
        "some",
        "stuff",
        "the",
        "thing",
        "things",
        "to",
        "topic",
        "topics",
        "you",
        "your",
        "much",
        "way",
        "also",
        "too",
        "content",
        "threads",
    }
)
_SEPARATORS = frozenset({"and", "or", "but", "plus", ",", ".", ";", "!", "?", "\n"})


@dataclass(frozen=True)
class Parsed:
    more: tuple[str, ...]
    less: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.more and not self.less


def _clean(term: list[str]) -> str:
    return " ".join(term[:MAX_TERM_WORDS])[:MAX_TERM_CHARS].strip()


def parse_request(text: str) -> Parsed:
    """The terms ``text`` asks to see more and less of, each once, in the order written."""
    lowered = text.casefold().replace("&", " and ").replace("\u2019", "'")
    lowered = _LESS.sub(" __less__ ", lowered)
    lowered = _MORE.sub(" __more__ ", lowered)
    more: list[str] = []
    less: list[str] = []
    direction: str | None = None
    previous_marker: str | None = None
    words: list[str] = []

    def flush() -> None:
        term = _clean(words)
        words.clear()
        if not term or direction is None:
            return
        target = more if direction == "more" else less
        if term not in more and term not in less and len(more) + len(less) < MAX_TERMS:
            target.append(term)

    for token in _TOKENS.findall(lowered):
        if token in ("__more__", "__less__"):
            flush()
            marker = token.strip("_")
            # "don't show me more X": the negation governs the "more" right after it.
            if not (marker == "more" and previous_marker == "less"):
                direction = marker
            previous_marker = marker
            continue
        previous_marker = None
        if token in _SEPARATORS:
            flush()
        elif token.lstrip("#") and token.lstrip("#") not in _FILLER:
            words.append(token.lstrip("#"))
    flush()
    return Parsed(tuple(more), tuple(less))


def matches(term: str, topic_key: str, text: str) -> bool:
    """The term names the post's topic, or occurs in its text as whole words (any case)."""
    if term == topic_key:
        return True
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text.casefold()) is not None
