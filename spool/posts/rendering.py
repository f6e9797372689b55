"""Post text as safe HTML.

Text is plain text with entities found in it (links, @mentions) and ranges laid over it (spoilers on post
text, styles on a text attachment). Rendering cuts the text at every boundary of every range and entity,
escapes each piece, wraps it in the tags of the ranges and the entity covering it, and finally passes the
result through :func:`spool.core.sanitize.clean_html`. Nothing the author typed can become markup: ``<b>``
in a post shows as ``<b>``. An entity cut by a range boundary becomes one link per piece, all to the same
place, so spoilers and styles can start or end anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from spool.core.sanitize import clean_html
from spool.core.text import find_links, find_mentions, normalise_url

# Style name -> (opening tag, closing tag). Highlight is a span because the sanitiser keeps no <mark>.
STYLE_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<strong>", "</strong>"),
    "italic": ("<em>", "</em>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "highlight": ('<span class="highlight">', "</span>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
}
# Outermost first, so nesting is always the same whatever order the ranges came in.
_ORDER = ("spoiler", "highlight", "bold", "italic", "underline", "strikethrough")


@dataclass(frozen=True)
class _Range:
    start: int
    end: int
    style: str


@dataclass(frozen=True)
class _Entity:
    start: int
    end: int
    href: str


def _entities(text: str, mention_handles: Iterable[str] | None) -> list[_Entity]:
    """Links and mentions, non-overlapping, in order. Mentions become links only for ``mention_handles``
    (handles of accounts the post really mentions) when given."""
    known = {h.lower() for h in mention_handles} if mention_handles is not None else None
    found = [_Entity(s.start, s.end, normalise_url(s.value)) for s in find_links(text)]
    for span in find_mentions(text):
        if known is not None and span.value.lower() not in known:
            continue
        end = span.start + 1 + len(span.value)  # a trailing '.' is not part of the handle
        found.append(_Entity(span.start, end, f"/@{span.value}"))
    found.sort(key=lambda e: e.start)
    result: list[_Entity] = []
    for entity in found:
        if result and entity.start < result[-1].end:
            continue
        result.append(entity)
    return result


def _render(text: str, ranges: Sequence[_Range], entities: Sequence[_Entity]) -> SafeString:
    cuts = {0, len(text)}
    for r in ranges:
        cuts.update((r.start, r.end))
    for e in entities:
        cuts.update((e.start, e.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    groups: list[tuple[tuple[str, ...], str | None, str]] = []
    for start, end in pairwise(points):
        if start == end:
            continue
        styles = tuple(
            name
            for name in _ORDER
            if any(r.style == name and r.start <= start and end <= r.end for r in ranges)
        )
        href = next((e.href for e in entities if e.start <= start and end <= e.end), None)
        piece = text[start:end]
        if groups and groups[-1][0] == styles and groups[-1][1] == href:
            groups[-1] = (styles, href, groups[-1][2] + piece)
        else:
            groups.append((styles, href, piece))
    html_parts = []
    for styles, href, piece in groups:
        inner = escape(piece, quote=False).replace("\n", "<br>")
        if href is not None:
            inner = f'<a href="{escape(href)}">{inner}</a>'
        for name in reversed(styles):
            opening, closing = STYLE_TAGS[name]
            inner = f"{opening}{inner}{closing}"
        html_parts.append(inner)
    return mark_safe(clean_html("".join(html_parts)))  # noqa: S308 - every piece escaped, then sanitised


def render_post_text(
    text: str, spoilers: Iterable[Sequence[int]] = (), *, mention_handles: Iterable[str] | None = None
) -> SafeString:
    """``text`` as HTML: escaped, line breaks kept, URLs and @mentions linked (mentions only of
    ``mention_handles`` when given), each spoiler range ``[offset, length]`` in ``<span class="spoiler">``."""
    ranges = [_Range(o, o + n, "spoiler") for o, n in _valid_pairs(spoilers, len(text))]
    return _render(text, ranges, _entities(text, mention_handles))


def render_attachment(text: str, styles: Iterable[dict[str, Any]] = ()) -> SafeString:
    """A text attachment as HTML: escaped, line breaks kept, URLs linked, each styling range
    ``{"offset", "length", "styles"}`` in the tags of its styles (bold, italic, underline, strikethrough,
    highlight)."""
    ranges = []
    for item in styles:
        pairs = _valid_pairs([(item.get("offset"), item.get("length"))], len(text))
        for offset, length in pairs:
            ranges += [_Range(offset, offset + length, s) for s in item.get("styles", ()) if s in STYLE_TAGS]
    return _render(text, ranges, _entities(text, ()))


def _valid_pairs(pairs: Iterable[Sequence[Any]], size: int) -> list[tuple[int, int]]:
    """Ranges that fit the text (stored data was checked on the way in; this keeps rendering total)."""
    valid = []
    for pair in pairs:
        try:
            offset, length = int(pair[0]), int(pair[1])
        except (TypeError, ValueError, IndexError):
            continue
        if offset >= 0 and length > 0 and offset + length <= size:
            valid.append((offset, length))
    return valid
