"""Checks shared by creating and editing a post. Each returns the cleaned value or raises a
``ValidationError`` naming the field at fault; none touches the database except where stated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import regex

from spool.core.errors import ValidationError
from spool.core.text import find_hashtags, post_length, unique_links
from spool.posts.models import ReplyControl

MAX_TEXT = 500
MAX_LINKS = 5
MAX_ATTACHMENT = 10_000
MAX_STYLE_RANGES = 1_000
STYLES = ("bold", "italic", "underline", "strikethrough", "highlight")
MAX_TOPIC = 50
MAX_SPOILERS = 10
MAX_MEDIA = 20
MAX_ALT = 1_000
MIN_POLL_OPTIONS, MAX_POLL_OPTIONS = 2, 4
MAX_POLL_OPTION = 25

_WHITESPACE = regex.compile(r"\s+")
# Text a database cannot store or that only serves to hide content (NUL, other C0 controls but tab/newline).
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_plain(value: Any, *, field: str, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"The {what} must be text.", code="invalid", field=field)
    if _CONTROL.search(value):
        raise ValidationError(
            f"The {what} contains control characters.", code="invalid_characters", field=field
        )
    return value


def check_text(text: Any) -> str:
    """Post text: at most 500, counted as Threads counts (emoji count their UTF-8 bytes)."""
    text = check_plain(text, field="text", what="text")
    length = post_length(text)
    if length > MAX_TEXT:
        raise ValidationError(
            f"A post can be at most {MAX_TEXT} characters long; this one is {length}.",
            code="text_too_long",
            field="text",
        )
    return text


def check_links(text: str, attachment_text: str = "") -> list[str]:
    """The distinct links of the text and attachment (at most 5), text links first."""
    links = unique_links(text)
    for link in unique_links(attachment_text):
        if link not in links:
            links.append(link)
    if len(links) > MAX_LINKS:
        raise ValidationError(
            f"A post can have at most {MAX_LINKS} different links; this one has {len(links)}.",
            code="too_many_links",
            field="text",
        )
    return links


def _pairs(raw: Any, *, field: str) -> list[tuple[int, int]]:
    """``[[offset, length], …]`` or ``[{"offset", "length"}, …]`` as integer pairs."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationError("Ranges must be a list of [offset, length].", code="invalid_range", field=field)
    pairs = []
    for item in raw:
        if isinstance(item, dict):
            item = (item.get("offset"), item.get("length"))
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationError("Each range is [offset, length].", code="invalid_range", field=field)
        offset, length = item
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (offset, length)):
            raise ValidationError(
                "Range offsets and lengths are whole numbers.", code="invalid_range", field=field
            )
        pairs.append((offset, length))
    return pairs


def _check_inside(offset: int, length: int, text: str, *, field: str) -> None:
    if offset < 0 or length < 1 or offset + length > len(text):
        raise ValidationError(
            f"The range [{offset}, {length}] is not inside the text ({len(text)} characters).",
            code="range_outside_text",
            field=field,
        )


def check_spoilers(raw: Any, text: str) -> list[list[int]]:
    """Up to 10 non-overlapping [offset, length] ranges inside ``text`` (offsets count characters), sorted."""
    pairs = sorted(_pairs(raw, field="spoilers"))
    if len(pairs) > MAX_SPOILERS:
        raise ValidationError(
            f"A post can have at most {MAX_SPOILERS} spoilers; this one has {len(pairs)}.",
            code="too_many_spoilers",
            field="spoilers",
        )
    end = 0
    for offset, length in pairs:
        _check_inside(offset, length, text, field="spoilers")
        if offset < end:
            raise ValidationError(
                "Spoiler ranges must not overlap.", code="overlapping_spoilers", field="spoilers"
            )
        end = offset + length
    return [[offset, length] for offset, length in pairs]


def check_attachment(text: Any, styles: Any) -> tuple[str, list[dict[str, Any]]]:
    """A text attachment of at most 10,000 characters with styling ranges
    ``{"offset", "length", "styles": [...]}`` inside it, styles from :data:`STYLES`."""
    text = check_plain(text, field="attachment_text", what="text attachment")
    if not text.strip():
        if styles:
            raise ValidationError(
                "Styles need a text attachment.", code="styles_without_attachment", field="attachment_styles"
            )
        return "", []
    length = post_length(text)
    if length > MAX_ATTACHMENT:
        raise ValidationError(
            f"A text attachment can be at most {MAX_ATTACHMENT:,} characters long; this one is {length:,}.",
            code="attachment_too_long",
            field="attachment_text",
        )
    if styles is None:
        styles = []
    if not isinstance(styles, list | tuple):
        raise ValidationError("Styles must be a list.", code="invalid_range", field="attachment_styles")
    if len(styles) > MAX_STYLE_RANGES:
        raise ValidationError("Too many style ranges.", code="too_many_styles", field="attachment_styles")
    cleaned = []
    for item in styles:
        if not isinstance(item, dict):
            raise ValidationError(
                'Each style range is {"offset", "length", "styles"}.',
                code="invalid_range",
                field="attachment_styles",
            )
        ((offset, length),) = _pairs([item], field="attachment_styles")
        _check_inside(offset, length, text, field="attachment_styles")
        names = item.get("styles")
        if not isinstance(names, list | tuple) or not names or not all(isinstance(n, str) for n in names):
            raise ValidationError(
                "Each style range names at least one style.", code="invalid_style", field="attachment_styles"
            )
        unknown = sorted(set(names) - set(STYLES))
        if unknown:
            raise ValidationError(
                f"Unknown style {unknown[0]!r}; use {', '.join(STYLES)}.",
                code="invalid_style",
                field="attachment_styles",
            )
        cleaned.append({"offset": offset, "length": length, "styles": [s for s in STYLES if s in names]})
    return text, cleaned


def normalise_topic(name: str) -> str:
    """The key a topic is stored and looked up under: no leading ``#``, whitespace collapsed, case-folded."""
    display = _WHITESPACE.sub(" ", name.strip().lstrip("#")).strip()
    key = display.casefold()
    return key if len(key) <= MAX_TOPIC else display.lower()


def check_topic(topic: Any, text: str) -> str:
    """The topic as displayed (no ``#``): the ``topic`` field if given, else the first ``#tag`` of the text;
    1 to 50 characters without ``.`` or ``&``. Empty when the post has no topic."""
    topic = check_plain(topic, field="topic", what="topic")
    if topic.strip():
        display = _WHITESPACE.sub(" ", topic.strip().lstrip("#")).strip()
        if not display:
            raise ValidationError("A topic needs at least one character.", code="topic_empty", field="topic")
    else:
        tags = find_hashtags(text)
        if not tags:
            return ""
        display = tags[0].value
    if len(display) > MAX_TOPIC:
        raise ValidationError(
            f"A topic can be at most {MAX_TOPIC} characters long.", code="topic_too_long", field="topic"
        )
    if "." in display or "&" in display:
        raise ValidationError(
            "A topic can't contain '.' or '&'.", code="topic_invalid_characters", field="topic"
        )
    return display


def check_reply_control(value: Any) -> str:
    if value in (None, ""):
        return ReplyControl.EVERYONE.value
    if value not in ReplyControl.values:
        raise ValidationError(
            f"Who can reply must be one of {', '.join(ReplyControl.values)}.",
            code="invalid_reply_control",
            field="reply_control",
        )
    return str(value)


def check_poll_options(options: Any) -> list[str] | None:
    """``None`` (no poll) or 2 to 4 distinct options of 1 to 25 characters each."""
    if options is None:
        return None
    if not isinstance(options, list | tuple):
        raise ValidationError("Poll options must be a list.", code="invalid_poll", field="poll_options")
    if not MIN_POLL_OPTIONS <= len(options) <= MAX_POLL_OPTIONS:
        raise ValidationError(
            f"A poll has {MIN_POLL_OPTIONS} to {MAX_POLL_OPTIONS} options; this one has {len(options)}.",
            code="poll_option_count",
            field="poll_options",
        )
    cleaned: list[str] = []
    for option in options:
        option = check_plain(option, field="poll_options", what="poll option").strip()
        if not 1 <= len(option) <= MAX_POLL_OPTION:
            raise ValidationError(
                f"Each poll option is 1 to {MAX_POLL_OPTION} characters long.",
                code="poll_option_length",
                field="poll_options",
            )
        if option.casefold() in (c.casefold() for c in cleaned):
            raise ValidationError(
                "Poll options must differ.", code="poll_option_duplicate", field="poll_options"
            )
        cleaned.append(option)
    return cleaned


def check_alt_text(alt_text: Any) -> str:
    alt_text = check_plain(alt_text, field="alt_text", what="alt text").strip()
    if len(alt_text) > MAX_ALT:
        raise ValidationError(
            f"Alt text can be at most {MAX_ALT:,} characters long.",
            code="alt_text_too_long",
            field="alt_text",
        )
    return alt_text


def check_focus(focus: Any) -> tuple[float, float]:
    """A focal point ``"x,y"`` (or a pair) with both numbers in [-1, 1], as Mastodon clients send it."""
    parts = focus.split(",") if isinstance(focus, str) else focus
    try:
        x, y = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise ValidationError(
            "The focal point is two numbers, x,y, between -1 and 1.", code="invalid_focus", field="focus"
        ) from None
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise ValidationError(
            "The focal point is two numbers, x,y, between -1 and 1.", code="invalid_focus", field="focus"
        )
    return x, y


def check_media_ids(media_ids: Iterable[Any] | None) -> list[int]:
    """1 to 20 distinct media IDs in the order given (an empty list means no media)."""
    if media_ids is None:
        return []
    ids: list[int] = []
    for raw in media_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError("Media IDs are numbers.", code="invalid_media", field="media_ids") from None
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_MEDIA:
        raise ValidationError(
            f"A post can have at most {MAX_MEDIA} images; this one has {len(ids)}.",
            code="too_many_media",
            field="media_ids",
        )
    return ids


def first(items: Sequence[str]) -> str | None:
    return items[0] if items else None
