"""Reading loosely-shaped ActivityStreams JSON."""

from __future__ import annotations

from typing import Any

from spool.federation.ids import PUBLIC_ALIASES

# What Spool writes: ActivityStreams, security (publicKey), and the extension terms it uses.
CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "sensitive": "as:sensitive",
        "Hashtag": "as:Hashtag",
        "quoteUrl": "as:quoteUrl",
        "toot": "http://joinmastodon.org/ns#",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "discoverable": "toot:discoverable",
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
        "misskey": "https://misskey-hub.net/ns#",
        "_misskey_quote": "misskey:_misskey_quote",
        "fedibird": "http://fedibird.com/ns#",
        "quoteUri": "fedibird:quoteUri",
        "spool": "https://spool.social/ns#",
        "spoilerRanges": "spool:spoilerRanges",
        "attachmentText": "spool:attachmentText",
        "topic": "spool:topic",
    },
]


class VocabError(ValueError):
    """The JSON is not an object Spool can use; the message says what is wrong."""


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value: Any) -> str:
    """The id of an object given inline (``{"id": …}``) or by reference (a string); ``""`` when neither."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def text_of(value: Any, limit: int = 10_000) -> str:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, dict):  # a contentMap / nameMap: take any language
        for item in value.values():
            if isinstance(item, str):
                return item[:limit]
    return ""


def is_public(data: dict[str, Any]) -> bool:
    audience = {id_of(v) for v in as_list(data.get("to")) + as_list(data.get("cc"))}
    return bool(audience & PUBLIC_ALIASES)


def require_id(data: dict[str, Any], field: str = "id") -> str:
    value = id_of(data.get(field))
    if not value.startswith(("https://", "http://")):
        raise VocabError(f"{field} must be an http(s) URI")
    return value
