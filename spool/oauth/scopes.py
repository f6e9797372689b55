"""OAuth scopes as Mastodon defines them: top-level scopes (``read``, ``write``, ``follow``, ``push``,
``profile``, ``admin:read``, ``admin:write``) and the granular ones they imply."""

from __future__ import annotations

from spool.core.errors import ValidationError

_READ = ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
         "notifications", "search", "statuses")  # fmt: skip
_WRITE = ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists",
          "media", "mutes", "notifications", "reports", "statuses")  # fmt: skip
_ADMIN = ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
          "canonical_email_blocks")  # fmt: skip

IMPLIES: dict[str, frozenset[str]] = {
    "read": frozenset(f"read:{name}" for name in _READ),
    "write": frozenset(f"write:{name}" for name in _WRITE),
    # ``follow`` is Mastodon's older bundle for managing relationships.
    "follow": frozenset(
        {"read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"}
    ),
    "push": frozenset(),
    "profile": frozenset(),
    "admin:read": frozenset(f"admin:read:{name}" for name in _ADMIN),
    "admin:write": frozenset(f"admin:write:{name}" for name in _ADMIN),
}
KNOWN: frozenset[str] = frozenset(IMPLIES) | frozenset().union(*IMPLIES.values())
DEFAULT = "read"


def parse(raw: str | None, *, allowed: frozenset[str] | None = None) -> frozenset[str]:
    """Scopes from a space- (or ``+``-) separated string; unknown scopes, or scopes beyond ``allowed``
    (an application's registered scopes), are refused."""
    names = frozenset((raw or DEFAULT).replace("+", " ").split())
    if not names:
        names = frozenset({DEFAULT})
    unknown = sorted(names - KNOWN)
    if unknown:
        raise ValidationError(f"Unknown scope: {', '.join(unknown)}.", code="invalid_scope", field="scope")
    if allowed is not None:
        beyond = sorted(name for name in names if not grants(allowed, name))
        if beyond:
            raise ValidationError(
                f"The application may not ask for: {', '.join(beyond)}.", code="invalid_scope", field="scope"
            )
    return names


def grants(held: frozenset[str], wanted: str) -> bool:
    """Whether a token holding ``held`` may do what needs ``wanted`` (``read:statuses`` is granted by
    ``read`` itself; ``profile`` is granted by ``read`` and ``read:accounts``)."""
    if wanted in held:
        return True
    if wanted == "profile":
        return "read" in held or "read:accounts" in held
    return any(wanted in IMPLIES.get(name, ()) for name in held)


def supported() -> list[str]:
    """Every scope, the bundles first (for the RFC 8414 metadata)."""
    return list(IMPLIES) + sorted(KNOWN - frozenset(IMPLIES))


def render(names: frozenset[str]) -> str:
    return " ".join(sorted(names))


# What each scope lets an app do, in the words the consent page and the settings page use.
_TOP_WORDS = {
    "read": "Read everything in your account: your posts and timelines, profile, follows, blocks and mutes, "
    "notifications, lists, bookmarks, likes and filters",
    "write": "Change everything in your account: post, reply, like, repost, bookmark, follow, block and "
    "mute, edit your profile, upload media, manage lists, filters and notifications",
    "follow": "See and change who you follow, block and mute",
    "push": "Send you push notifications",
    "profile": "See your profile (name, handle, picture) — only that",
    "admin:read": "Read moderation data of the whole server",
    "admin:write": "Take moderation actions on the whole server",
}
_NOUNS = {
    "accounts": "your profile and account",
    "blocks": "the profiles you block",
    "bookmarks": "your bookmarks",
    "conversations": "your conversations",
    "favourites": "your likes",
    "filters": "your filters and hidden words",
    "follows": "who you follow and your follow requests",
    "lists": "your lists",
    "media": "media attachments",
    "mutes": "the profiles you mute",
    "notifications": "your notifications",
    "reports": "reports",
    "search": "search as you",
    "statuses": "posts",
}


def describe(name: str) -> str:
    """A scope in plain words."""
    if name in _TOP_WORDS:
        return _TOP_WORDS[name]
    group, _, noun = name.rpartition(":")
    what = _NOUNS.get(noun, noun.replace("_", " "))
    if group == "read":
        return "Search as you" if noun == "search" else f"Read {what}"
    if group == "write":
        return "Upload media" if noun == "media" else f"Change {what}"
    return f"{'Read' if group == 'admin:read' else 'Change'} server-wide {what} (moderation)"
