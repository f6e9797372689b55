""" "Why am I seeing this?": the top contributing reasons of a post's score, in plain words. Pure.

The reasons come from :func:`spool.feeds.for_you.scoring.contributions` (largest first), so an explanation
never names a feature that did not move the post. Steering the person asked for ("You asked for more
cycling") always comes first; at most ``MAX_REASONS`` are given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spool.feeds.for_you.features import Features
from spool.feeds.for_you.scoring import Contribution

MAX_REASONS = 3
STEERING = ("asked_more", "author_more", "topic_more")


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Explanation:
    reasons: tuple[Reason, ...]

    @property
    def summary(self) -> str:
        return self.reasons[0].text if self.reasons else "Recent post"

    def as_dict(self) -> dict[str, object]:
        return {"summary": self.summary, "reasons": [{"code": r.code, "text": r.text} for r in self.reasons]}


def people(handles: Sequence[str], verb: str) -> str:
    """ "@a liked this", "@a and @b liked this", "@a, @b and 2 others liked this"."""
    named = [f"@{h}" for h in handles[:2]]
    others = len(handles) - len(named)
    if others > 0:
        return f"{', '.join(named)} and {others} other{'s' if others > 1 else ''} {verb} this"
    return f"{' and '.join(named)} {verb} this"


def reason_text(code: str, f: Features) -> str:
    topic = f.topic_name
    if code == "asked_more":
        return f"You asked for more {', '.join(f.asked_more)}"
    if code == "author_more":
        return f"You asked to see more from @{f.author_handle}"
    if code == "topic_more":
        return f"You asked for more {topic}"
    if code == "follows_author":
        return f"You follow @{f.author_handle}"
    if code == "engaged_by":
        if f.liked_by:
            return people(sorted(set(f.liked_by)), "liked")
        return people(sorted(set(f.reposted_by)), "reposted")
    if code == "affinity":
        return f"You often interact with @{f.author_handle}"
    if code == "community":
        return f"From your community {f.community}"
    if code == "follows_topic":
        return f"You follow the topic {topic}"
    if code == "trending_topic":
        return f"Trending in {topic}"
    if code == "trending_post":
        return "Trending"
    if code == "velocity":
        return f"Popular in topic {topic}" if topic else "Popular right now"
    if code == "topic_interest":
        return f"You like posts about {topic}"
    if code == "new_voice":
        return "New voice in a topic you follow" if f.follows_topic else "A new voice for you"
    raise ValueError(f"no words for reason {code!r}")


def explain(f: Features, reasons: Sequence[Contribution], limit: int = MAX_REASONS) -> Explanation:
    ordered = sorted(reasons, key=lambda c: (c.code not in STEERING, -c.value))
    return Explanation(tuple(Reason(c.code, reason_text(c.code, f)) for c in ordered[:limit]))
