"""The demo's moderation: ``@demo`` is a moderator (so ``make run`` shows the queue at ``/moderation``) and a
few people have reported posts — through the real services."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING

from spool.demo.people import DEMO_HANDLE
from spool.moderation import services as moderation
from spool.posts.models import Post

if TYPE_CHECKING:
    from spool.demo.data import Script

# (reporter, reason, comment): each reports a recent public post of someone else.
REPORTS = (
    ("lucia.reads", "abuse", "This reply is needlessly rude to a stranger."),
    ("kenji.sato", "misinformation", "This claim is simply false."),
    ("amara.n", "spam", ""),
)


def write_moderation(script: Script) -> None:
    now = script.now

    def grant() -> None:
        moderation.grant_role(None, script.account(DEMO_HANDLE), "moderator")

    def report(index: int, reporter: str, reason: str, comment: str) -> None:
        account = script.account(reporter)
        candidates = (
            Post.objects.filter(author__is_private=False, is_reply=index == 0)
            .exclude(author__handle__in=(reporter, DEMO_HANDLE))
            .order_by("-id")
        )
        target = candidates[index * 7 : index * 7 + 1].first()
        if target is not None:
            moderation.report_post(account, target.pk, reason, comment)

    script.at(now - timedelta(hours=3), f"@{DEMO_HANDLE} becomes a moderator", grant)
    for index, (reporter, reason, comment) in enumerate(REPORTS):
        when = now - timedelta(hours=2, minutes=40 - index * 10)
        script.at(
            when,
            f"@{reporter} reports a post",
            functools.partial(report, index, reporter, reason, comment),
        )
