"""The spam score: cheap heuristics computed after a new post commits (``tasks.score_post``). Each signal
adds points; a post reaching ``THRESHOLD`` is held for review — hidden from everyone but its author — and
appears in the moderator queue as a system report. Dismissing that report publishes the post; removing it
keeps it hidden.

Signals (each fires at its threshold, inclusive):

- **link density**: at least ``LINK_MIN`` links making up at least ``LINK_DENSITY`` of the words;
- **mention density**: at least ``MENTION_MIN`` @mentions making up at least ``MENTION_DENSITY`` of the words;
- **new-account burst**: the author's account is younger than ``BURST_ACCOUNT_AGE`` and this is at least
  its ``BURST_POSTS``-th post or reply within ``BURST_WINDOW``;
- **duplicate text**: the same normalised text (at least ``DUPLICATE_MIN_CHARS`` long) came from at least
  ``DUPLICATE_ACCOUNTS`` different accounts within ``DUPLICATE_WINDOW``.

Every window is measured back from the post's own ``created_at``, so a task that runs late (or twice) scores
the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import regex
from django.db import IntegrityError, connection, transaction

from spool.core.snowflake import id_at
from spool.core.text import MENTION_RE, URL_RE
from spool.moderation import audit
from spool.moderation.models import Reason, TargetType, TextFingerprint
from spool.moderation.services.reports import file_report
from spool.moderation.snapshots import label, snapshot_post
from spool.posts.models import ModerationState, Post

THRESHOLD = 50
LINK_MIN, LINK_DENSITY, LINK_POINTS = 2, 0.5, 30
MENTION_MIN, MENTION_DENSITY, MENTION_POINTS = 5, 0.5, 30
BURST_ACCOUNT_AGE, BURST_WINDOW, BURST_POSTS, BURST_POINTS = timedelta(days=7), timedelta(minutes=10), 10, 40
DUPLICATE_MIN_CHARS, DUPLICATE_ACCOUNTS, DUPLICATE_WINDOW, DUPLICATE_POINTS = 20, 3, timedelta(hours=24), 50

_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True)
class Signal:
    name: str
    points: int
    detail: str


@dataclass(frozen=True)
class Score:
    signals: tuple[Signal, ...]

    @property
    def total(self) -> int:
        return sum(s.points for s in self.signals)

    @property
    def held(self) -> bool:
        return self.total >= THRESHOLD

    def explain(self) -> str:
        parts = "; ".join(f"{s.name} (+{s.points}: {s.detail})" for s in self.signals)
        return f"Spam score {self.total}: {parts}" if parts else f"Spam score {self.total}"


def text_signals(text: str) -> list[Signal]:
    """Link and mention density of ``text`` (no database)."""
    words = len(text.split())
    signals = []
    links = len(URL_RE.findall(text))
    if links >= LINK_MIN and links >= LINK_DENSITY * words:
        signals.append(Signal("link density", LINK_POINTS, f"{links} links in {words} words"))
    mentions = len(MENTION_RE.findall(text))
    if mentions >= MENTION_MIN and mentions >= MENTION_DENSITY * words:
        signals.append(Signal("mention density", MENTION_POINTS, f"{mentions} mentions in {words} words"))
    return signals


def burst_signal(post: Post) -> Signal | None:
    """The new-account burst signal for ``post`` (one indexed count, only for young accounts)."""
    if not _young(post):
        return None
    since = id_at(post.created_at - BURST_WINDOW)
    return _burst(Post.objects.filter(author_id=post.author_id, id__gte=since, id__lte=post.pk).count())


def _young(post: Post) -> bool:
    return post.created_at - post.author.created_at < BURST_ACCOUNT_AGE


def _burst(recent: int) -> Signal | None:
    if recent < BURST_POSTS:
        return None
    return Signal(
        "new-account burst", BURST_POINTS, f"{recent} posts in {BURST_WINDOW.seconds // 60} minutes"
    )


def normalise(text: str) -> str:
    """Case-folded, spaces collapsed. Mentions are kept: friends sending the same greeting to different
    people is common, and blanking them made ordinary posts look like copies."""
    return _SPACE.sub(" ", text.casefold()).strip()


def duplicate_signal(post: Post) -> Signal | None:
    """Record ``post``'s text fingerprint and fire when ``DUPLICATE_ACCOUNTS`` accounts used it recently."""
    digest = _digest(post)
    if digest is None:
        return None
    try:
        with transaction.atomic():
            TextFingerprint.objects.create(
                digest=digest, account_id=post.author_id, post_id=post.pk, created_at=post.created_at
            )
    except IntegrityError:
        pass  # scored before: the fingerprint is already there
    accounts = (
        TextFingerprint.objects.filter(
            digest=digest,
            created_at__gte=post.created_at - DUPLICATE_WINDOW,
            created_at__lte=post.created_at,
        )
        .values("account_id")
        .distinct()
        .count()
    )
    return _duplicate(accounts)


def _digest(post: Post) -> str | None:
    """The fingerprint of ``post``'s normalised text; ``None`` when it is too short to count."""
    text = normalise(f"{post.text}\n{post.attachment_text}")
    if len(text) < DUPLICATE_MIN_CHARS:
        return None
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _duplicate(accounts: int) -> Signal | None:
    if accounts < DUPLICATE_ACCOUNTS:
        return None
    return Signal("duplicate text", DUPLICATE_POINTS, f"the same text from {accounts} accounts")


def score(post: Post) -> Score:
    signals = text_signals(f"{post.text}\n{post.attachment_text}")
    for signal in (burst_signal(post), duplicate_signal(post)):
        if signal is not None:
            signals.append(signal)
    return Score(tuple(signals))


def score_post(post_id: int) -> Score | None:
    """Score a new post and hold it for review when it reaches ``THRESHOLD``: ``moderation_state`` becomes
    ``review`` and a system report (reason spam, the score's explanation as its comment) joins the queue,
    with a ``hold`` audit entry, in one transaction. Idempotent: a post already moderated or already
    reported by the system is left alone. ``None`` when the post no longer exists."""
    post = Post.objects.select_related("author", "topic").filter(pk=post_id).first()
    if post is None:
        return None
    result = score(post)
    _hold(post, result)
    return result


def score_posts(post_ids: Iterable[int]) -> dict[int, Score]:
    """:func:`score_post` for many posts at once (an inbox batch's new posts), the same signals computed by
    four queries for the whole batch (posts, burst counts, fingerprints written, accounts per fingerprint)
    plus the holds. Returns each existing post's score."""
    # Only what the signals read (a whole post with its author and topic, three models a row, cost more
    # than the scoring); the rare post held is read whole for its report (:func:`_hold`).
    posts = list(
        Post.objects.select_related("author")
        .only(*_SCORED_FIELDS)
        .filter(pk__in=set(post_ids))
        .order_by("id")
    )
    young = [post for post in posts if _young(post)]
    recent = _counts(
        f"SELECT b.pid, COUNT(p.id) FROM ({{batch}}) b JOIN {Post._meta.db_table} p"  # noqa: S608 (our table)
        " ON p.author_id = b.author AND p.id >= b.since AND p.id <= b.pid GROUP BY b.pid",
        [[post.pk, post.author_id, id_at(post.created_at - BURST_WINDOW)] for post in young],
        ["pid", "author", "since"],
    )
    digests = {post.pk: digest for post in posts if (digest := _digest(post)) is not None}
    TextFingerprint.objects.bulk_create(
        [
            TextFingerprint(
                digest=digest, account_id=post.author_id, post_id=post.pk, created_at=post.created_at
            )
            for post in posts
            if (digest := digests.get(post.pk)) is not None
        ],
        ignore_conflicts=True,  # scored before: the fingerprint is already there
    )
    adapt = connection.ops.adapt_datetimefield_value
    accounts = _counts(
        f"SELECT b.pid, COUNT(DISTINCT f.account_id) FROM ({{batch}}) b"  # noqa: S608 (our table)
        f" JOIN {TextFingerprint._meta.db_table} f"
        " ON f.digest = b.digest AND f.created_at >= b.since AND f.created_at <= b.upto GROUP BY b.pid",
        [
            [post.pk, digests[post.pk], adapt(post.created_at - DUPLICATE_WINDOW), adapt(post.created_at)]
            for post in posts
            if post.pk in digests
        ],
        ["pid", "digest", "since", "upto"],
    )
    results = {}
    for post in posts:
        signals = text_signals(f"{post.text}\n{post.attachment_text}")
        for signal in (_burst(recent.get(post.pk, 0)), _duplicate(accounts.get(post.pk, 0))):
            if signal is not None:
                signals.append(signal)
        results[post.pk] = result = Score(tuple(signals))
        _hold(post, result)
    return results


_SCORED_FIELDS = (
    "id",
    "text",
    "attachment_text",
    "author_id",
    "created_at",
    "moderation_state",
    "author__created_at",
)


def _counts(sql: str, rows: list[list[Any]], columns: list[str]) -> dict[int, int]:
    """Run ``sql`` (post ID, count per row) with ``{batch}`` standing for ``rows`` as a derived table with
    ``columns``, the post ID first; nothing to ask for no rows."""
    if not rows:
        return {}
    one = "SELECT " + ", ".join(f"%s AS {column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(batch=" UNION ALL ".join([one] * len(rows))), [v for row in rows for v in row]
        )
        return {int(post_id): int(count) for post_id, count in cursor.fetchall()}


def _hold(post: Post, result: Score) -> None:
    """Hold ``post`` for review when ``result`` reaches the threshold and it is not moderated yet."""
    if not result.held or post.moderation_state != ModerationState.NONE:
        return
    with transaction.atomic():
        held = Post.objects.filter(pk=post.pk, moderation_state=ModerationState.NONE).update(
            moderation_state=ModerationState.REVIEW
        )
        if not held:
            return
        if post.get_deferred_fields():  # read for scoring only (:func:`score_posts`)
            post = Post.objects.select_related("author", "topic").get(pk=post.pk)
        snapshot = snapshot_post(post)
        file_report(
            None,
            target_type=TargetType.POST,
            target_id=post.pk,
            target_account=post.author,
            reason=Reason.SPAM,
            comment=result.explain(),
            snapshot=snapshot,
        )
        audit.record(
            None, "hold", TargetType.POST, post.pk, target_label=label(TargetType.POST, snapshot),
            note=result.explain(), score=result.total,
        )  # fmt: skip


def prune_fingerprints() -> int:
    """Delete fingerprints older than the duplicate window (scheduled hourly); how many went."""
    from django.utils import timezone

    cutoff = timezone.now() - DUPLICATE_WINDOW
    deleted, _ = TextFingerprint.objects.filter(created_at__lt=cutoff).delete()
    return deleted
