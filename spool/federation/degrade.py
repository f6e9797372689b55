"""What of a post cannot fully travel to the fediverse, and how it is sent instead.

One analysis serves both ends, so they cannot disagree: the outbound builder
(:mod:`spool.federation.outbound.note`, and the ``PostCreated`` handler for ghost posts) asks
:func:`degradations_of` which changes to apply, and the composer shows the same list, built from the form's
fields, before and after posting. The table in ``docs/federation.md`` ("What degrades on the way out")
describes the same cases.

Polls need no entry: a Spool poll (2-4 options of at most 25 characters, open 24 hours) is a ``Question``
that Mastodon, Misskey and the others show in full. Quotes travel as ``quote``/``quoteUrl``/
``_misskey_quote`` plus a link, which servers without quotes show as the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spool.posts.models import Post


class Degradation(StrEnum):
    """A way a post changes on its way to other servers; the value is the stable code clients see."""

    TEXT_ATTACHMENT = "text_attachment"
    TEXT_SPOILERS = "text_spoilers"
    TOPIC = "topic"
    REPLY_CONTROL = "reply_control"
    GHOST = "ghost"


# What the person is told, one sentence each, in the order they are listed.
MESSAGES: dict[Degradation, str] = {
    Degradation.GHOST: "Ghost posts stay on Spool: this post won't be sent to the fediverse.",
    Degradation.TEXT_ATTACHMENT: (
        "The text attachment is sent as a link to this post: people on other servers read it on Spool."
    ),
    Degradation.TEXT_SPOILERS: (
        "Spoilers become a content warning (\u201cSpoilers\u201d) over the whole post on other servers."
    ),
    Degradation.TOPIC: "The topic is sent as a hashtag.",
    Degradation.REPLY_CONTROL: (
        "Who can reply isn't understood elsewhere: people on other servers may still reply there."
    ),
}


@dataclass(frozen=True)
class PostFeatures:
    """The parts of a post, written or being written, that decide how it travels."""

    attachment_text: bool = False
    text_spoilers: bool = False
    topic: bool = False
    reply_control: str = "everyone"
    ghost: bool = False
    is_reply: bool = False

    @classmethod
    def of_post(cls, post: Post) -> PostFeatures:
        return cls(
            attachment_text=bool(post.attachment_text),
            text_spoilers=bool(post.spoilers),
            topic=post.topic_id is not None,
            reply_control=post.reply_control or "everyone",
            ghost=bool(post.ghost),
            is_reply=bool(post.reply_to_id or post.is_reply),
        )


@dataclass(frozen=True)
class Notice:
    code: Degradation
    message: str


def degradations_of(features: PostFeatures) -> list[Degradation]:
    """Every way a post with ``features`` changes when sent, in a stable order; ``GHOST`` (first when
    present) means it is not sent at all, and then nothing else is listed. Pure: no queries."""
    if features.ghost:
        return [Degradation.GHOST]
    found = []
    if features.attachment_text:
        found.append(Degradation.TEXT_ATTACHMENT)
    if features.text_spoilers:
        found.append(Degradation.TEXT_SPOILERS)
    if features.topic:
        found.append(Degradation.TOPIC)
    # Replies take their parent's controls on Spool and carry none of their own.
    if not features.is_reply and features.reply_control not in ("", "everyone"):
        found.append(Degradation.REPLY_CONTROL)
    return found


def notices_for(features: PostFeatures) -> list[Notice]:
    """:func:`degradations_of` with the sentence to show for each."""
    return [Notice(code, MESSAGES[code]) for code in degradations_of(features)]


def is_sent(post: Post) -> bool:
    """Whether ``post`` goes to the fediverse at all (its author federating is checked elsewhere)."""
    return Degradation.GHOST not in degradations_of(PostFeatures.of_post(post))
