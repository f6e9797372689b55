"""Posts (``Note``; ``Article``/``Page`` read as a link to themselves; ``Question`` read as its text)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from spool.core.sanitize import strip_html
from spool.federation.vocab.base import VocabError, as_list, id_of, is_public, require_id, text_of

NOTE_TYPES = {"Note", "Question", "Article", "Page"}
AS_MEDIA_TYPES = (
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
_BREAKS = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)
_RE_LINE = re.compile(r"\n*RE: ?\S+\s*$")


def html_to_text(value: str) -> str:
    """Plain text of post HTML: line breaks and paragraphs kept as newlines, tags dropped, entities
    decoded."""
    value = _PARAGRAPHS.sub("\n\n", _BREAKS.sub("\n", value or ""))
    return html.unescape(strip_html(value)).strip()


@dataclass(frozen=True)
class Attachment:
    url: str
    media_type: str
    alt: str


@dataclass(frozen=True)
class Note:
    id: str
    type: str
    attributed_to: str
    text: str
    summary: str
    sensitive: bool
    in_reply_to: str
    quote: str
    url: str
    public: bool
    published: datetime | None
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # Spool's own extensions, present when the post came from another Spool.
    spoiler_ranges: list[list[int]] | None = None
    attachment_text: str = ""
    topic: str = ""
    # A Question's options (``oneOf``, or ``anyOf`` read as single choice), their counts and end.
    poll_options: list[str] | None = None
    poll_counts: list[int] = field(default_factory=list)
    poll_end: datetime | None = None
    # A poll vote (Mastodon's shape): a Note with a ``name`` (the option) in reply to the Question.
    name: str = ""

    @property
    def is_vote(self) -> bool:
        return bool(self.name and self.in_reply_to and not self.text)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        kind = data.get("type")
        if kind not in NOTE_TYPES:
            raise VocabError(f"not a post: {kind!r}")
        note_id = require_id(data)
        author = id_of(as_list(data.get("attributedTo"))[0] if data.get("attributedTo") else "")
        if not author.startswith(("https://", "http://")):
            raise VocabError("attributedTo is missing")
        url = data.get("url")
        url = id_of(url[0] if isinstance(url, list) and url else url) or note_id
        text = html_to_text(text_of(data.get("content") or data.get("contentMap"), 200_000))
        if kind in ("Article", "Page"):
            # Long-form posts travel as their title and a link (Spool posts are short).
            title = text_of(data.get("name"), 300)
            text = f"{title}\n\n{url}".strip()
        quote = _quote_of(data)
        if quote:
            text = _RE_LINE.sub("", text).rstrip()  # the "RE: <url>" fallback line duplicates the quote
        mentions, hashtags, link_quote = [], [], ""
        for tag in as_list(data.get("tag")):
            if not isinstance(tag, dict):
                continue
            if tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
                mentions.append(tag["href"])
            elif tag.get("type") == "Hashtag" and isinstance(tag.get("name"), str):
                hashtags.append(tag["name"].lstrip("#"))
            elif tag.get("type") == "Link" and tag.get("mediaType") in AS_MEDIA_TYPES:
                link_quote = link_quote or id_of(tag.get("href"))  # FEP-e232 object link
        attachments = []
        for item in as_list(data.get("attachment")):
            if isinstance(item, dict) and item.get("type") in ("Image", "Document", "Video", "Audio"):
                href = id_of(item.get("url")) or _first_url(item.get("url"))
                if href.startswith(("https://", "http://")):
                    alt = text_of(item.get("name"), 1000) or text_of(item.get("summary"), 1000)
                    attachments.append(Attachment(href, str(item.get("mediaType") or ""), alt))
        ranges = data.get("spoilerRanges")
        published = _when(data.get("published"))
        options = [o for o in as_list(data.get("oneOf") or data.get("anyOf")) if isinstance(o, dict)]
        return cls(
            id=note_id,
            type=str(kind),
            attributed_to=author,
            text=text,
            summary=html_to_text(text_of(data.get("summary"), 2000)),
            sensitive=data.get("sensitive") is True,
            in_reply_to=id_of(data.get("inReplyTo")),
            quote=quote or link_quote,
            url=url,
            public=is_public(data),
            published=published,
            mentions=mentions,
            hashtags=hashtags,
            attachments=attachments[:20],
            spoiler_ranges=ranges if isinstance(ranges, list) else None,
            attachment_text=text_of(data.get("attachmentText"), 10_000),
            topic=text_of(data.get("topic"), 50),
            poll_options=[text_of(o.get("name"), 200) for o in options] if kind == "Question" else None,
            poll_counts=[_total(o.get("replies")) for o in options],
            poll_end=_when(data.get("endTime") or data.get("closed")),
            name=text_of(data.get("name"), 200) if kind == "Note" else "",
        )


def _quote_of(data: dict[str, Any]) -> str:
    for key in ("quote", "quoteUrl", "quoteUri", "_misskey_quote"):
        value = id_of(data.get(key))
        if value:
            return value
    return ""


def _first_url(value: Any) -> str:
    for item in as_list(value):
        if isinstance(item, dict) and isinstance(item.get("href"), str):
            return str(item["href"])
    return ""


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _total(value: Any) -> int:
    if isinstance(value, dict) and isinstance(value.get("totalItems"), int):
        return max(0, int(value["totalItems"]))
    return 0
