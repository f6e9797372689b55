"""Removing posts and accounts without leaving wrong counters behind.

Counters are denormalised (see :mod:`spool.posts.models`), so whatever deletes rows must first lower every
counter those rows contributed to on rows that stay. Everything here is set-based: one ``UPDATE`` per kind
of counter, with the amount computed by a correlated subquery, whatever the number of posts involved.

Each group of updates takes its row locks in ``create_post``'s order (topics, then accounts, then posts),
so the usual concurrent writes (a post, a like) wait for it rather than deadlock on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest

from spool.core import counters
from spool.core.events import publish
from spool.identities.models import Account
from spool.posts.events import PostDeleted
from spool.posts.models import GhostStatus, Like, Media, Poll, PollOption, PollVote, Post, Repost, Topic
from spool.posts.services.topics import count_topic


def _lower_by_count(targets: QuerySet[Any], field: str, rows: QuerySet[Any], key: str) -> int:
    """Lower ``field`` of every row of ``targets`` that some of ``rows`` point at through ``key`` by the
    number of those rows (never below zero), in one ``UPDATE``. Returns how many targets changed. Inside an
    inbox batch a row may have a change summed to the batch's end (an author's ``posts_count`` after a
    ``Create`` earlier in the batch): its ``-n`` joins that sum (one grouped read), as in
    :func:`_lower_by_one`."""
    waiting = counters.pending(targets.model, field)
    if waiting:
        summed = rows.filter(**{f"{key}__in": waiting}).order_by().values(key).annotate(n=Count("pk"))
        for pk, n in summed.values_list(key, "n"):
            # A row that is among ``rows`` itself is deleted with them: its summed change then updates
            # nothing.
            counters.add(targets.model, pk, field, -n)
        targets = targets.exclude(pk__in=waiting)
    per_target = (
        rows.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    )
    lowered = Greatest(F(field) - Subquery(per_target), 0, output_field=IntegerField())
    return targets.filter(pk__in=rows.values(key)).update(**{field: lowered})


def _lower_by_one(targets: QuerySet[Any], field: str) -> None:
    """Lower ``field`` by one on every row of ``targets`` (never below zero). Inside an inbox batch a row
    may have a change summed to the batch's end (a like earlier in the batch): its ``-1`` joins that sum,
    since lowered at once the zero floor would swallow it and the count would end one too high."""
    waiting = counters.pending(targets.model, field)
    if waiting:
        for pk in targets.filter(pk__in=waiting).values_list("pk", flat=True):
            counters.add(targets.model, pk, field, -1)
        targets = targets.exclude(pk__in=waiting)
    targets.filter(**{f"{field}__gt": 0}).update(**{field: F(field) - 1})


def forget_posts(doomed: QuerySet[Any], staying: QuerySet[Any] | None = None) -> None:
    """Before the posts ``doomed`` are deleted: lower what they counted on rows that stay — their topics'
    and authors' ``posts_count``, the ``replies_count`` of their parents and the ``quotes_count`` of the
    posts they quote. ``staying`` (default: every post not in ``doomed``) limits which posts' counters
    change; a cheaper equivalent can be passed. Four updates; must run in the deleting transaction."""
    if staying is None:
        staying = Post.objects.exclude(pk__in=doomed.values("pk"))
    _lower_topics(doomed)
    _lower_by_count(Account.objects.all(), "posts_count", doomed, "author_id")
    _lower_by_count(staying, "replies_count", doomed, "reply_to_id")
    _lower_by_count(staying, "quotes_count", doomed, "quote_of_id")


def _lower_topics(doomed: QuerySet[Any]) -> None:
    """Lower the ``posts_count`` of the topics of ``doomed``. Inside an inbox batch the topic counts are
    summed to its end (:func:`~spool.core.counters.deferring`), a ``Create`` earlier in the batch added its
    ``+1`` there: lowering the row at once would let the zero floor swallow the ``-1``, and the count would
    end one too high. There the ``-n`` joins the same sums (one grouped read); elsewhere one ``UPDATE``."""
    if not counters.deferred():
        _lower_by_count(Topic.objects.all(), "posts_count", doomed, "topic_id")
        return
    per_topic = (
        doomed.exclude(topic_id=None)
        .order_by()
        .values("topic_id")
        .annotate(n=Count("pk"))
        .values_list("topic_id", "n")
    )
    for topic_id, n in per_topic:
        count_topic(topic_id, -n)


def delete_posts(doomed_ids: list[int]) -> None:
    """Delete these posts with their likes, reposts, saves, images, polls and mentions, keeping counters
    exact (:func:`forget_posts`); publishes ``PostDeleted`` for each and removes their image files after
    commit. Replies to them stay, with no parent."""
    if not doomed_ids:
        return
    doomed = Post.objects.filter(pk__in=doomed_ids)
    forget_posts(doomed)
    authors = dict(doomed.values_list("pk", "author_id"))
    files = list(Media.objects.filter(post_id__in=doomed_ids).values_list("file", flat=True))
    doomed.delete()
    for post_id in doomed_ids:
        if post_id in authors:
            publish(PostDeleted(post_id=post_id, author_id=authors[post_id]))
    delete_files_after_commit(files)


def forget_account(account_id: int) -> None:
    """Runs inside ``delete_account``'s transaction before any row of the account is removed
    (``AccountDeleting``): keeps every counter of other people's posts exact once the account's rows cascade
    away.

    Lowers, one ``UPDATE`` per kind: ``likes_count`` and ``reposts_count`` of posts the account liked or
    reposted; ``votes_count`` of the poll options it voted for and of their polls; for its own posts (see
    :func:`forget_posts`) the ``replies_count`` of posts it replied to, the ``quotes_count`` of posts it
    quoted and its topics' ``posts_count``.

    Replies by others under its ghost posts are deleted first (:func:`delete_posts`), as ``delete_post``
    does for one ghost post: a ghost post's conversation is private to it and would otherwise become public
    once its root is gone.
    """
    ghosts = Post.objects.filter(author_id=account_id).exclude(ghost=GhostStatus.NONE).values("pk")
    delete_posts(
        list(
            Post.objects.filter(root_id__in=ghosts)
            .exclude(author_id=account_id)
            .order_by("-pk")
            .values_list("pk", flat=True)
        )
    )

    others = Post.objects.exclude(author_id=account_id)
    forget_posts(Post.objects.filter(author_id=account_id), staying=others)
    _lower_by_one(
        others.filter(pk__in=Like.objects.filter(account_id=account_id).values("post_id")), "likes_count"
    )
    _lower_by_one(
        others.filter(pk__in=Repost.objects.filter(account_id=account_id).values("post_id")), "reposts_count"
    )
    # One vote per person and poll, so each option and each poll lost exactly one vote.
    votes = PollVote.objects.filter(voter_id=account_id)
    _lower_by_one(PollOption.objects.filter(pk__in=votes.values("option_id")), "votes_count")
    _lower_by_one(Poll.objects.filter(pk__in=votes.values("poll_id")), "votes_count")


def delete_files_after_commit(names: list[str]) -> None:
    """Remove these stored files once the transaction commits (never for a deletion that rolled back)."""

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)
