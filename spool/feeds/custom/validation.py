"""Checking a custom feed definition before anything is written: name, mode, topics, profiles, keywords and
their bounds. Each check raises :class:`~spool.core.errors.ValidationError` with the field at fault."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from spool.core.errors import ValidationError
from spool.feeds.custom.models import FeedMode
from spool.identities.models import Account
from spool.posts.services.validation import MAX_TOPIC, check_plain, normalise_topic

MAX_NAME = 50
MAX_TOPICS = 10
MAX_PROFILES = 50
MAX_KEYWORDS = 10
MAX_KEYWORD = 50
# Topics may not hold what posts' topics may not (see posts' check_topic).
_BAD_TOPIC = re.compile(r"[.&]")


@dataclass(frozen=True)
class Definition:
    """A checked definition: what a feed row stores."""

    name: str
    mode: str
    topics: list[str]
    profiles: list[int]
    keywords: list[str]


def _strings(value: Any, *, field: str, what: str, most: int) -> list[str]:
    """A list of non-blank strings without repeats (case-insensitive), at most ``most``."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError(f"The {what} must be a list.", code="invalid", field=field)
    out: list[str] = []
    seen: set[str] = set()
    for item in value:
        text = check_plain(item, field=field, what=what).strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    if len(out) > most:
        raise ValidationError(
            f"A feed can have at most {most} {what}.", code=f"too_many_{field}", field=field
        )
    return out


def check_name(value: Any) -> str:
    name = check_plain(value, field="name", what="name").strip()
    if not name:
        raise ValidationError("Give the feed a name.", code="blank", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            f"A feed's name can be at most {MAX_NAME} characters.", code="name_too_long", field="name"
        )
    return name


def check_mode(value: Any) -> str:
    if value in (None, ""):
        return FeedMode.RECENT
    if value not in FeedMode.values:
        raise ValidationError("The mode is either top or recent.", code="invalid_mode", field="mode")
    return str(value)


def check_topics(value: Any) -> list[str]:
    """Topic display names (``#`` dropped), each as a post's topic could be written."""
    topics: list[str] = []
    keys: set[str] = set()
    for raw in _strings(value, field="topics", what="topics", most=MAX_TOPICS):
        display = raw.lstrip("#").strip()
        if not display or len(display) > MAX_TOPIC or _BAD_TOPIC.search(display):
            raise ValidationError(
                f"“{raw[:60]}” is not a topic (1 to {MAX_TOPIC} characters, no “.” or “&”).",
                code="invalid_topic",
                field="topics",
            )
        if normalise_topic(display) not in keys:
            keys.add(normalise_topic(display))
            topics.append(display)
    return topics


def check_keywords(value: Any) -> list[str]:
    keywords = _strings(value, field="keywords", what="keywords", most=MAX_KEYWORDS)
    for keyword in keywords:
        if len(keyword) > MAX_KEYWORD:
            raise ValidationError(
                f"A keyword can be at most {MAX_KEYWORD} characters.",
                code="keyword_too_long",
                field="keywords",
            )
    return keywords


def check_profiles(owner: Account, value: Any) -> list[int]:
    """Account IDs for handles (``ana``, ``@ana``, ``ana@server.example``) or IDs the owner may see, in
    the order given. One query for all of them."""
    wanted = _strings(value, field="profiles", what="profiles", most=MAX_PROFILES)
    if not wanted:
        return []
    by_key: dict[str, str] = {}
    query = Q(pk__in=[])
    for raw in wanted:
        if raw.isdigit():
            query |= Q(pk=int(raw))
            by_key[raw] = raw
            continue
        handle, _, domain = raw.lstrip("@").partition("@")
        if not handle:
            raise ValidationError(f"“{raw[:60]}” is not a profile.", code="unknown_profile", field="profiles")
        query |= Q(handle__iexact=handle, domain__iexact=domain)
        by_key[raw] = f"{handle}@{domain}".casefold()
    found = Account.objects.visible_to(owner).filter(query).values_list("id", "handle", "domain")
    keys: dict[str, int] = {}
    for account_id, handle, domain in found:
        keys[str(account_id)] = account_id
        keys[f"{handle}@{domain}".casefold()] = account_id
    ids: list[int] = []
    for raw, key in by_key.items():
        if key not in keys:
            raise ValidationError(
                f"There is no profile “{raw[:60]}”.", code="unknown_profile", field="profiles"
            )
        if keys[key] not in ids:
            ids.append(keys[key])
    return ids


def check_definition(owner: Account, data: dict[str, Any]) -> Definition:
    """The whole definition; refuses a feed with nothing to select (no topic, profile or keyword)."""
    definition = Definition(
        name=check_name(data.get("name")),
        mode=check_mode(data.get("mode")),
        topics=check_topics(data.get("topics")),
        profiles=check_profiles(owner, data.get("profiles")),
        keywords=check_keywords(data.get("keywords")),
    )
    if not (definition.topics or definition.profiles or definition.keywords):
        raise ValidationError(
            "A feed needs at least one topic, profile or keyword.", code="empty_feed", field="topics"
        )
    return definition


def search_terms(q: Any) -> tuple[list[str], list[str]]:
    """A search box query as feed sources: ``#tags`` become topics, other words keywords (a quoted phrase
    stays one keyword), each list cut to its bound."""
    text = check_plain(q, field="q", what="search").strip()
    if not text:
        raise ValidationError("Type something to search for.", code="blank", field="q")
    parts: Iterable[str] = (m.group(1) or m.group(2) for m in re.finditer(r'"([^"]+)"|(\S+)', text))
    topics: list[str] = []
    keywords: list[str] = []
    for part in parts:
        (topics if part.startswith("#") and len(part) > 1 else keywords).append(part[:MAX_KEYWORD])
    return topics[:MAX_TOPICS], keywords[:MAX_KEYWORDS]
