"""A seeded, lived-in dataset built through the real services (so it is valid whatever the schema of the
version under test): a few hundred people, some private, following, blocking, muting and restricting each
other; a few thousand posts with topics, ghost posts, replies several levels deep, hidden replies, likes and
reposts; one long thread; and the viewer every scenario reads as."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from spool.core.errors import SpoolError
from spool.identities import services as identities
from spool.identities.models import Account
from spool.posts import services as posts

PASSWORD = "bench password 1234"
TOPICS = ["gardening", "cooking", "python", "cycling", "jazz", "birds", "films", "running"]


@dataclass
class Sizes:
    accounts: int = 300
    private_share: float = 0.1
    follows_each: int = 15
    posts_each: int = 10
    replies: int = 1500
    likes: int = 3000
    reposts: int = 300
    blocks: int = 60
    mutes: int = 60
    restricts: int = 30
    hidden: int = 30
    thread_replies: int = 60

    def scaled(self, factor: float) -> Sizes:
        return Sizes(
            **{
                name: (value if isinstance(value, float) else max(1, round(value * factor)))
                for name, value in self.__dict__.items()
            }
        )


@dataclass
class Dataset:
    viewer: Account
    accounts: list[Account]
    profile: Account  # an account the viewer follows, with many posts
    thread_root_id: int
    thread_replies: int
    visible_post_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)


def _quietly(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a service; a refusal (blocked, not visible, already done…) is part of a lived-in dataset."""
    try:
        return call(*args, **kwargs)
    except SpoolError:
        return None


def build(sizes: Sizes, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    with transaction.atomic():
        accounts = [
            identities.register_account(
                email=f"person{i}@bench.example", password=PASSWORD, handle=f"person{i}"
            )
            for i in range(sizes.accounts)
        ]
    viewer, profile = accounts[0], accounts[1]
    others = accounts[1:]
    private = set(rng.sample(range(2, sizes.accounts), max(3, int(sizes.accounts * sizes.private_share))))

    with transaction.atomic():
        for i in sorted(private):
            identities.update_profile(accounts[i], is_private=True)
        # The viewer follows a few dozen people, some of them private (approved), and the profile account.
        followed = {1, *rng.sample(range(2, sizes.accounts), min(40, sizes.accounts - 2))}
        followed |= set(rng.sample(sorted(private), 3))
        for i in sorted(followed):
            _follow(viewer, accounts[i], approve=True)
        for person in others:
            for target in rng.sample(accounts, sizes.follows_each):
                if target.pk != person.pk:
                    _follow(person, target, approve=rng.random() < 0.8)

    with transaction.atomic():
        edges = [(a, b) for a, b in (rng.sample(accounts, 2) for _ in range(sizes.blocks))]
        # The viewer blocks three people and is blocked by two (none of them the profile account).
        edges += [(viewer, accounts[i]) for i in rng.sample(range(2, sizes.accounts), 3)]
        edges += [(accounts[i], viewer) for i in rng.sample(range(2, sizes.accounts), 2)]
        for a, b in edges:
            if profile.pk not in (a.pk, b.pk):
                _quietly(identities.block_account, a, b)
        for _ in range(sizes.mutes):
            _quietly(identities.mute_account, *rng.sample(accounts, 2))
        for _ in range(sizes.restricts):
            _quietly(identities.restrict_account, *rng.sample(accounts, 2))

    top: list[Any] = []
    with transaction.atomic():
        for n in range(sizes.posts_each):
            for person in accounts:
                ghost = rng.random() < 0.03
                topic = rng.choice(TOPICS) if rng.random() < 0.3 else ""
                post = _quietly(
                    posts.create_post, person, text=f"Post {n} by {person.handle}", topic=topic, ghost=ghost
                )
                if post is not None:
                    top.append(post)

    replies: list[Any] = []
    with transaction.atomic():
        for n in range(sizes.replies):
            parent = rng.choice(replies) if replies and rng.random() < 0.4 else rng.choice(top)
            reply = _quietly(
                posts.create_post, rng.choice(accounts), text=f"Reply {n}", reply_to_id=parent.id
            )
            if reply is not None:
                replies.append(reply)
        for reply in rng.sample(replies, min(sizes.hidden, len(replies))):
            root = reply.root_id or reply.reply_to_id
            owner = next((p.author for p in top if p.id == root), None)
            if owner is not None:
                _quietly(posts.hide_reply, owner, reply.id)

    with transaction.atomic():
        everything = top + replies
        for _ in range(sizes.likes):
            _quietly(posts.like_post, rng.choice(accounts), rng.choice(everything).id)
        for _ in range(sizes.reposts):
            _quietly(posts.repost_post, rng.choice(accounts), rng.choice(top).id)
        # Reposts by people the viewer follows, so home pages mix in repost entries.
        for i in sorted(followed)[:10]:
            _quietly(posts.repost_post, accounts[i], rng.choice(top).id)

    with transaction.atomic():
        root = posts.create_post(profile, text="A long conversation", topic="birds")
        thread = [root]
        repliers = [a for a in accounts[2:] if a.pk not in private]
        for n in range(sizes.thread_replies):
            parent = rng.choice(thread[-5:]) if rng.random() < 0.6 else root
            reply = _quietly(
                posts.create_post, rng.choice(repliers), text=f"Thread reply {n}", reply_to_id=parent.id
            )
            if reply is not None:
                thread.append(reply)

    from spool.posts.models import Post

    visible = list(Post.objects.visible_to(viewer).order_by("-id").values_list("id", flat=True)[:500])
    return Dataset(
        viewer=Account.objects.get(pk=viewer.pk),
        accounts=[Account.objects.get(pk=a.pk) for a in accounts],
        profile=Account.objects.get(pk=profile.pk),
        thread_root_id=root.id,
        thread_replies=len(thread) - 1,
        visible_post_ids=visible,
        counts={
            "accounts": len(accounts),
            "private accounts": len(private),
            "posts": Post.objects.count(),
            "replies": Post.objects.filter(is_reply=True).count(),
            "follows": _count("identities", "Follow"),
            "blocks": _count("identities", "Block"),
            "mutes": _count("identities", "Mute"),
            "restricts": _count("identities", "Restrict"),
            "likes": _count("posts", "Like"),
            "reposts": _count("posts", "Repost"),
        },
    )


def _follow(actor: Account, target: Account, *, approve: bool) -> None:
    result = _quietly(identities.follow_account, actor, target)
    if result == "requested" and approve:
        _quietly(identities.approve_follow_request, target, actor)


def _count(app: str, model: str) -> int:
    from django.apps import apps

    return int(apps.get_model(app, model).objects.count())
