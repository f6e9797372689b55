"""HTML sanitising. All HTML that came from outside passes through here before it is stored or shown."""

from __future__ import annotations

import nh3

_TAGS = {
    "p",
    "br",
    "a",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
}
_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}


def clean_html(html: str) -> str:
    """Keep a small set of formatting tags; drop scripts, styles, event handlers and unsafe URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def strip_html(html: str) -> str:
    """Plain text of ``html`` (tags removed, entities kept escaped)."""
    return nh3.clean(html, tags=set())
