"""Actors (``Person``, ``Service``, ``Application``, ``Group``, ``Organization``) as Spool reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spool.federation.vocab.base import VocabError, as_list, id_of, require_id, text_of
from spool.federation.vocab.note import html_to_text

ACTOR_TYPES = {"Person", "Service", "Application", "Group", "Organization"}


@dataclass(frozen=True)
class Actor:
    id: str
    type: str
    username: str
    name: str
    summary: str
    inbox: str
    shared_inbox: str
    followers: str
    url: str
    key_id: str
    public_key_pem: str
    manually_approves: bool
    links: list[dict[str, str]] = field(default_factory=list)
    also_known_as: list[str] = field(default_factory=list)
    icon_url: str = ""  # the avatar (``icon``), an image URL as given
    image_url: str = ""  # the header (``image``)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Actor:
        if data.get("type") not in ACTOR_TYPES:
            raise VocabError(f"not an actor: {data.get('type')!r}")
        actor_id = require_id(data)
        username = data.get("preferredUsername")
        if not isinstance(username, str) or not username:
            raise VocabError("preferredUsername is missing")
        inbox = id_of(data.get("inbox"))
        if not inbox.startswith(("https://", "http://")):
            raise VocabError("inbox is missing")
        key = data.get("publicKey")
        key = key[0] if isinstance(key, list) and key else key
        if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
            raise VocabError("publicKey is missing")
        endpoints = data.get("endpoints") if isinstance(data.get("endpoints"), dict) else {}
        url = data.get("url")
        links = []
        for item in as_list(data.get("attachment")):
            if isinstance(item, dict) and item.get("type") == "PropertyValue":
                value = html_to_text(text_of(item.get("value"), 2000)).strip()
                if value.startswith(("https://", "http://")):
                    links.append({"url": value, "title": text_of(item.get("name"), 100)})
        return cls(
            id=actor_id,
            type=str(data["type"]),
            username=username,
            name=text_of(data.get("name"), 500),
            summary=html_to_text(text_of(data.get("summary"), 5000)),
            inbox=inbox,
            shared_inbox=id_of(endpoints.get("sharedInbox")) if endpoints else "",
            followers=id_of(data.get("followers")),
            url=id_of(url[0] if isinstance(url, list) and url else url),
            key_id=id_of(key) or f"{actor_id}#main-key",
            public_key_pem=str(key["publicKeyPem"]),
            manually_approves=data.get("manuallyApprovesFollowers") is True,
            links=links,
            also_known_as=[id_of(v) for v in as_list(data.get("alsoKnownAs")) if id_of(v)],
            icon_url=_image_url(data.get("icon")),
            image_url=_image_url(data.get("image")),
        )


def _image_url(value: Any) -> str:
    """The URL of an ``Image`` (or a bare link, or the first of a list); ``""`` when none is usable."""
    value = value[0] if isinstance(value, list) and value else value
    url = value.get("url") if isinstance(value, dict) else value
    url = url[0] if isinstance(url, list) and url else url
    url = id_of(url.get("href") if isinstance(url, dict) else url)
    return url if url.startswith(("https://", "http://")) and len(url) <= 2000 else ""
