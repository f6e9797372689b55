"""Text entities of a post: how long it is, its links, mentions and first ``#tag``.

Length is counted as Threads counts it: one per character, except emoji, which count as many as their UTF-8
bytes (so 😀 counts 4 and a family emoji joined with zero-width joiners counts every byte of it).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

# A code point that is part of an emoji: pictographs, skin tones, joiners, variation selectors, keycaps and
# regional-indicator flags. ASCII digits, '#' and '*' are emoji components too but count as plain text.
_EMOJI_PART = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Component}\u200d\ufe0f\u20e3]")

URL_RE = regex.compile(
    r"""(?<![\w@/])(?:https?://|www\.)[^\s<>"'\u00a0]+[^\s<>"'\u00a0.,;:!?)\]}]""",
    regex.IGNORECASE,
)
MENTION_RE = regex.compile(r"(?<![\w@/])@([A-Za-z0-9_.]{1,30})(?![\w])")
# A #tag typed in the text: letters, digits, marks and underscores (no '.' or '&'), up to the next space or
# punctuation.
HASHTAG_RE = regex.compile(r"(?<![\w&#/])#([\p{L}\p{N}\p{M}_]{1,50})(?![\p{L}\p{N}\p{M}_])")


def post_length(text: str) -> int:
    """The length Threads would count for ``text``."""
    total = 0
    for ch in text:
        if ord(ch) > 0x7F and _EMOJI_PART.match(ch):
            total += len(ch.encode("utf-8"))
        else:
            total += 1
    return total


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    value: str


def find_links(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0)) for m in URL_RE.finditer(text)]


def normalise_url(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def unique_links(text: str) -> list[str]:
    """The distinct links in ``text``, in order of first appearance, normalised to absolute URLs."""
    seen: dict[str, None] = {}
    for span in find_links(text):
        seen.setdefault(normalise_url(span.value), None)
    return list(seen)


def find_mentions(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), m.group(1).rstrip("."))
        for m in MENTION_RE.finditer(text)
        if not _inside_link(text, m.start())
    ]


def find_hashtags(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), m.group(1))
        for m in HASHTAG_RE.finditer(text)
        if not _inside_link(text, m.start())
    ]


def _inside_link(text: str, index: int) -> bool:
    return any(span.start <= index < span.end for span in find_links(text))
