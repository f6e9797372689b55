"""The spam score's heuristics, each at its edge, and what a held post becomes: hidden from everyone but its
author, a system report in the queue, published again when a moderator dismisses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spool.identities.models import Account
from spool.moderation import spam
from spool.moderation.models import AuditEntry, Report, TextFingerprint
from spool.moderation.tasks import score_post
from spool.posts.models import Post

pytestmark = pytest.mark.django_db


def names(signals) -> list[str]:
    return [s.name for s in signals]


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("look http://a.example http://b.example", True),
        ("see http://a.example and http://b.example", True),  # exactly half the words
        ("see this http://a.example and http://b.example", False),  # just under half
        ("http://a.example", False),  # one link is never spam by density
    ],
)
def test_link_density_edge(text: str, fires: bool) -> None:
    assert ("link density" in names(spam.text_signals(text))) is fires


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("@a @b @c @d @e hi there you all now", True),  # 5 of 10 words
        ("@a @b @c @d @e hi there you all now again", False),  # 5 of 11
        ("@a @b @c @d", False),  # 4 mentions are a conversation
    ],
)
def test_mention_density_edge(text: str, fires: bool) -> None:
    assert ("mention density" in names(spam.text_signals(text))) is fires


def _age(account: Account, age: timedelta) -> None:
    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - age)


@pytest.mark.parametrize(("age", "posts", "fires"), [
    (timedelta(days=6, hours=23), 10, True),
    (timedelta(days=6, hours=23), 9, False),
    (timedelta(days=7, minutes=1), 10, False),
])  # fmt: skip
def test_new_account_burst_edge(ana, write, age, posts, fires) -> None:
    _age(ana, age)
    made = [write(ana, f"post number {i}") for i in range(posts)]
    last = Post.objects.select_related("author").get(pk=made[-1].pk)
    assert (spam.burst_signal(last) is not None) is fires


def test_burst_counts_only_the_window(ana, write) -> None:
    _age(ana, timedelta(days=1))
    made = [write(ana, f"post number {i}") for i in range(10)]
    first = made[0]
    # Move the first post's ID (and time) 11 minutes back: only 9 remain in the window.
    old_id = first.pk - (11 * 60 * 1000 << 22)
    Post.objects.filter(pk=first.pk).update(id=old_id)
    last = Post.objects.select_related("author").get(pk=made[-1].pk)
    assert spam.burst_signal(last) is None


TWENTY = "Win a free phone now"  # 20 characters
# Five mentions and five links in ten words: two signals, 60 points.
SPAMMY = "@bob @mod @ana @x @y http://a.example http://b.example http://c.example http://d.example http://e.example"


@pytest.mark.parametrize(("text", "accounts", "fires"), [
    (TWENTY, 3, True),
    (TWENTY, 2, False),
    (TWENTY[:-1], 3, False),  # 19 characters: too short to judge
])  # fmt: skip
def test_duplicate_text_edge(make_account, write, text, accounts, fires) -> None:
    people = [make_account(f"p{i}") for i in range(accounts)]
    # Case and spacing do not make a text different.
    variants = [text, text.upper(), text.replace(" ", "  ")]
    posts = [write(p, variants[i % 3]) for i, p in enumerate(people)]
    last = Post.objects.select_related("author").get(pk=posts[-1].pk)
    assert (spam.duplicate_signal(last) is not None) is fires


def test_duplicate_text_counts_only_the_window(make_account, write) -> None:
    a, b, c = (make_account(h) for h in ("da", "db", "dc"))
    write(a, TWENTY)
    TextFingerprint.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    write(b, TWENTY)
    last = write(c, TWENTY)
    assert spam.duplicate_signal(Post.objects.select_related("author").get(pk=last.pk)) is None


def test_the_same_account_repeating_itself_is_not_duplicate_text(ana, write) -> None:
    posts = [write(ana, TWENTY) for _ in range(3)]
    assert spam.duplicate_signal(Post.objects.select_related("author").get(pk=posts[-1].pk)) is None


def test_a_spammy_post_is_held_for_review(ana, bob, mod, login, write) -> None:
    post = write(ana, SPAMMY)
    post.refresh_from_db()
    assert post.moderation_state == "review"
    assert login(ana).get(f"/@ana/post/{post.pk}").status_code == 200  # its author still sees it
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 404
    report = Report.objects.get()
    assert report.system and report.reporter is None and report.reason == "spam"
    assert "link density" in report.comment and "mention density" in report.comment
    assert AuditEntry.objects.get(verb="hold").actor_label == "Spool (automatic)"
    client = login(mod)
    queue = client.get("/moderation").content.decode()
    assert "spam score" in queue
    # Dismissing the system report publishes the post.
    client.post(f"/moderation/post/{post.pk}/act", {"action": "dismiss"})
    assert Post.objects.get(pk=post.pk).moderation_state == ""
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 200


def test_one_signal_alone_does_not_hold_a_post(ana, write) -> None:
    post = write(ana, "look http://a.example http://b.example")
    post.refresh_from_db()
    assert post.moderation_state == "" and not Report.objects.exists()


def test_the_third_account_posting_the_same_text_is_held(make_account, write) -> None:
    people = [make_account(h) for h in ("s1", "s2", "s3")]
    posts = [write(p, "Claim your crypto reward today") for p in people]
    states = [Post.objects.get(pk=p.pk).moderation_state for p in posts]
    assert states == ["", "", "review"]


def test_scoring_is_idempotent(ana, write) -> None:
    post = write(ana, SPAMMY)
    score_post(post.pk)
    score_post(post.pk)
    assert Report.objects.count() == 1 and AuditEntry.objects.filter(verb="hold").count() == 1
    assert score_post(10**15) is None  # a post deleted before it was scored


def test_removing_a_held_post_keeps_it_hidden_and_tells_the_author(ana, bob, mod, login, write) -> None:
    post = write(ana, SPAMMY)
    login(mod).post(f"/moderation/post/{post.pk}/act", {"action": "remove", "note": "Spam."})
    assert Post.objects.get(pk=post.pk).moderation_state == "removed"
    assert login(ana).get(f"/@ana/post/{post.pk}").status_code == 404
    assert "Moderators removed your post." in login(ana).get("/notices").content.decode()


def test_old_fingerprints_are_pruned(ana, write) -> None:
    write(ana, TWENTY)
    write(ana, "Another text long enough to count")
    TextFingerprint.objects.filter(post_id=Post.objects.order_by("id").first().pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert spam.prune_fingerprints() == 1 and TextFingerprint.objects.count() == 1
