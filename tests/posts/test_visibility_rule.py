"""``visible_to`` reads the parent's and the root's author from the reply itself (``reply_to_author``,
``root_author``, ``root_ghost``) instead of joining those posts, and ``Post.objects.visible_to`` reuses the
rule built once per viewer. These tests prove neither changes who sees what: on a small, dense graph holding
every case the rule names (private threads, restricted repliers, ghost threads, hidden and archived posts,
deleted parents and roots, unfollows, a deactivated author) the result equals, for every viewer and for
logged-out visitors, that of the rule as it was written with joins (kept below as the reference).

How each case looks through the HTTP API is tested in ``test_visibility.py``; here the dataset is built
through the services directly, since hundreds of posts are needed and HTTP is not what is tested."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from spool.core.errors import SpoolError
from spool.identities import services as identities
from spool.identities.models import Account, Block, Follow, Restrict
from spool.posts import services as posts
from spool.posts.models import GhostStatus, Post
from tests.posts.conftest import Person

pytestmark = pytest.mark.django_db


def reference_rule(viewer_id: int | None) -> Q:
    """``visible_to`` as written before the denormalised columns (commit 5d89a5b): joins through
    ``reply_to`` and ``root`` to their authors and to the root's ghost status."""
    following = Follow.objects.filter(follower_id=viewer_id).values("followee_id") if viewer_id else None

    def may_see(prefix: str) -> Q:
        public = Q(**{f"{prefix}__is_private": False})
        if viewer_id is None:
            return public
        return public | Q(**{f"{prefix}_id": viewer_id}) | Q(**{f"{prefix}_id__in": following})

    def restricted_by(prefix: str) -> Exists:
        return Exists(
            Restrict.objects.filter(
                restricter_id=OuterRef(f"{prefix}__author_id"), restricted_id=OuterRef("author_id")
            )
        )

    nobody = Q(pk__in=[])
    is_author = Q(author_id=viewer_id) if viewer_id else nobody
    is_root_author = Q(root__author_id=viewer_id) if viewer_id else nobody
    is_parent_author = Q(reply_to__author_id=viewer_id) if viewer_id else nobody
    rule = (
        Q(author__is_active=True)
        & may_see("author")
        & (Q(reply_to__isnull=True) | may_see("reply_to__author"))
        & (Q(root__isnull=True) | may_see("root__author"))
        & (~Q(ghost=GhostStatus.ARCHIVED) | is_author)
        & (Q(hidden=False) | is_author | is_root_author)
        & (~restricted_by("reply_to") | is_author | is_parent_author)
        & (~restricted_by("root") | is_author | is_root_author)
        & (Q(root__isnull=True) | Q(root__ghost="") | is_author | is_root_author | is_parent_author)
    )
    if viewer_id:
        rule &= ~Q(author_id__in=Block.objects.filter(blocker_id=viewer_id).values("blocked_id"))
        rule &= ~Q(author_id__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id"))
    return rule


def _quietly(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except SpoolError:
        return None


def _lived_in_graph(rng: random.Random, people: int = 12, threads: int = 40) -> list[Account]:
    """A small crowd, densely connected, so that every viewer is the author, the parent's author or the
    root's author of many posts: follows (some of private profiles, some approved), blocks, restricts;
    threads several levels deep, some under ghost posts; hidden replies; then archived ghost posts, deleted
    parents and roots, unfollows and a deactivated author."""
    crowd = [
        identities.register_account(email=f"p{i}@example.com", password="a long password 1", handle=f"p{i}")
        for i in range(people)
    ]
    for account in crowd[:3]:
        identities.update_profile(account, is_private=True)
    for actor in crowd:
        for target in rng.sample(crowd, people // 2):
            if _quietly(identities.follow_account, actor, target) == "requested" and rng.random() < 0.7:
                _quietly(identities.approve_follow_request, target, actor)
    for _ in range(people):
        _quietly(identities.restrict_account, *rng.sample(crowd, 2))
    for _ in range(people // 2):
        _quietly(identities.block_account, *rng.sample(crowd, 2))

    roots: list[Post] = []
    for _ in range(threads):
        author = rng.choice(crowd)
        root = _quietly(posts.create_post, author, text="Root", ghost=rng.random() < 0.2)
        if root is None:
            continue
        roots.append(root)
        thread = [root]
        for _ in range(rng.randint(2, 8)):
            parent = rng.choice(thread)
            reply = _quietly(posts.create_post, rng.choice(crowd), text="Reply", reply_to_id=parent.id)
            if reply is not None:
                thread.append(reply)
        for reply in thread[1:]:
            if rng.random() < 0.1:
                _quietly(posts.hide_reply, author, reply.id)

    ghosts = [r.id for r in roots if r.ghost]
    Post.objects.filter(id__in=ghosts[::2]).update(expires_at=timezone.now() - timedelta(hours=1))
    posts.expire_ghost_posts()
    authors = {a.pk: a for a in crowd}
    parents = list(Post.objects.filter(is_reply=True, replies_count__gt=0))
    roots_with_replies = list(Post.objects.filter(is_reply=False, ghost="", replies_count__gt=0))
    doomed = rng.sample(parents, min(15, len(parents))) + rng.sample(
        roots_with_replies, min(6, len(roots_with_replies))
    )
    for post in doomed:
        _quietly(posts.delete_post, authors[post.author_id], post.id)
    for follow in list(Follow.objects.filter(followee_id__in=[a.pk for a in crowd[:3]]))[::3]:
        _quietly(identities.unfollow_account, authors[follow.follower_id], authors[follow.followee_id])
    identities.deactivate_account(crowd[-1])
    return crowd + _conversations()


def _conversations() -> list[Account]:
    """Cases a random graph rarely produces, between three people nobody else is related to."""
    ann, ben, cat = (
        identities.register_account(email=f"{h}@example.com", password="a long password 1", handle=h)
        for h in ("ann", "ben", "cat")
    )
    # In a ghost thread, only its author may answer ben's reply; ben sees that answer as the parent's
    # author. Another answer loses its parent when ben deletes his second reply: ben no longer sees it.
    ghost = posts.create_post(ann, text="Boo", ghost=True)
    bens = posts.create_post(ben, text="Ben in the ghost thread", reply_to_id=ghost.id)
    posts.create_post(ann, text="Ann answers ben", reply_to_id=bens.id)
    gone = posts.create_post(ben, text="Ben again", reply_to_id=ghost.id)
    posts.create_post(ann, text="Ann answers again", reply_to_id=gone.id)
    posts.delete_post(ben, gone.id)
    # A hidden reply whose thread's first post is deleted: its former author no longer sees it.
    root = posts.create_post(ann, text="Root")
    middle = posts.create_post(ben, text="Middle", reply_to_id=root.id)
    posts.create_post(cat, text="Hidden", reply_to_id=middle.id)
    posts.hide_reply(ann, middle.id)
    posts.delete_post(ann, root.id)
    # A restricted reply whose parent and root are deleted is a reply to nothing: everyone sees it.
    identities.restrict_account(ann, cat)
    root = posts.create_post(ann, text="Root again")
    posts.create_post(cat, text="Restricted", reply_to_id=root.id)
    posts.delete_post(ann, root.id)
    return [ann, ben, cat]


def test_the_rule_without_joins_sees_exactly_what_the_rule_with_joins_saw() -> None:
    crowd = _lived_in_graph(random.Random(11))
    # The graph holds every case the rule names.
    replies = Post.objects.filter(is_reply=True)
    restricted = Restrict.objects.filter(
        restricter_id=OuterRef("root__author_id"), restricted_id=OuterRef("author_id")
    )
    assert replies.filter(hidden=True).exists()
    assert replies.filter(root__ghost=GhostStatus.ACTIVE).exists()
    assert replies.filter(root__ghost=GhostStatus.ARCHIVED).exists()
    assert replies.filter(reply_to__isnull=True, root__isnull=False).exists()
    assert replies.filter(root__isnull=True).exists()
    assert replies.filter(Exists(restricted)).exists()

    viewers: list[Account | None] = [None, *Account.objects.filter(pk__in=[a.pk for a in crowd])]
    seen = []
    for viewer in viewers:
        viewer_id = viewer.pk if viewer is not None else None
        expected = set(Post.objects.filter(reference_rule(viewer_id)).values_list("id", flat=True))
        assert set(Post.objects.visible_to(viewer).values_list("id", flat=True)) == expected, viewer_id
        assert set(Post.objects.all().visible_to(viewer).values_list("id", flat=True)) == expected, viewer_id
        seen.append(len(expected))
    # Viewers see different things.
    assert len(set(seen)) > len(viewers) // 2, seen


def test_replies_carry_their_parents_and_roots_author(ana: Person, bob: Person, cy: Person) -> None:
    root = ana.write("Root")
    first = bob.reply(root, "First")
    second = cy.reply(first, "Second")
    in_ghost = bob.reply(ana.write("Boo", ghost=True), "In the ghost thread")
    named = {"root": root, "first": first, "second": second, "in_ghost": in_ghost}
    rows = {name: Post.objects.get(id=p["id"]) for name, p in named.items()}
    shape = {name: (r.reply_to_author_id, r.root_author_id, r.root_ghost) for name, r in rows.items()}
    assert shape == {
        "root": (None, None, False),
        "first": (ana.id, ana.id, False),
        "second": (bob.id, ana.id, False),
        "in_ghost": (ana.id, ana.id, True),
    }


def test_the_migration_fills_the_new_columns_of_existing_replies(
    ana: Person, bob: Person, cy: Person
) -> None:
    from importlib import import_module

    backfill = import_module("spool.posts.migrations.0003_post_thread_authors").backfill
    root = ana.write("Root")
    second = cy.reply(bob.reply(root, "First"), "Second")
    ghost_reply = bob.reply(ana.write("Boo", ghost=True), "In the ghost thread")
    columns = ("id", "reply_to_author_id", "root_author_id", "root_ghost")
    before = list(Post.objects.order_by("id").values_list(*columns))
    Post.objects.update(reply_to_author_id=None, root_author_id=None, root_ghost=False)
    backfill(apps, None)
    after = list(Post.objects.order_by("id").values_list(*columns))
    assert after == before
    assert {row[0] for row in after if row[3]} == {int(ghost_reply["id"])}
    assert Post.objects.get(id=second["id"]).root_author_id == ana.id
