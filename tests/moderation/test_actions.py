"""Moderators' decisions through the web pages: each action with its effect and its audit entry, dismissing,
the notice the person gets, and that nobody without a role can even see the pages."""

from __future__ import annotations

import pytest

from spool.feeds.trends import trending_posts, trending_topics
from spool.moderation.models import Action, AuditEntry, Report
from spool.moderation.services import report_account, report_post, report_topic
from spool.notifications.models import Notification
from spool.posts.models import Post, Topic
from spool.search.reads import find_posts

pytestmark = pytest.mark.django_db


def act(client, kind: str, target_id: int, action: str, note: str = "") -> object:
    return client.post(f"/moderation/{kind}/{target_id}/act", {"action": action, "note": note})


def test_the_queue_groups_reports_by_target_and_shows_context(
    ana, bob, mod, make_account, login, write
) -> None:
    cy = make_account("cy")
    root = write(bob, "What do you all think?")
    post = write(ana, "You are all idiots", reply_to_id=root.pk)
    earlier = write(ana, "An older post")
    report_post(bob, post.pk, "abuse", "rude")
    report_post(cy, post.pk, "hate")
    report_post(cy, earlier.pk, "spam")
    client = login(mod)
    queue = client.get("/moderation").content.decode()
    assert queue.count('class="list-item report-group"') == 2
    assert "2 reports from 2 people" in queue and "You are all idiots" in queue
    assert "Hate speech" in client.get("/moderation?reason=hate").content.decode()
    assert "An older post" not in client.get("/moderation?reason=hate").content.decode()
    assert "No open reports" in client.get("/moderation?type=topic").content.decode()
    page = client.get(f"/moderation/post/{post.pk}").content.decode()
    assert "What do you all think?" in page  # the thread around it
    assert "rude" in page and "from @bob" in page and "from @cy" in page
    assert "1 other report" in page and "/moderation/post/" in page  # the author's history


def test_remove_a_post(ana, bob, mod, login, write, anon) -> None:
    post = write(ana, "Offensive thing")
    report_post(bob, post.pk, "hate")
    response = act(login(mod), "post", post.pk, "remove", "Hate speech is not allowed.")
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).moderation_state == "removed"
    assert anon.get(f"/@ana/post/{post.pk}").status_code == 404
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 404
    assert Report.objects.get().status == "resolved" and Report.objects.get().action is not None
    entry = AuditEntry.objects.get(verb="remove")
    assert (entry.actor_label, entry.target_type, entry.target_id) == ("@mod", "post", post.pk)
    assert entry.note == "Hate speech is not allowed."
    # The author is told, and reads the note with the snapshot of what was removed.
    assert Notification.objects.filter(recipient=ana, kind="moderation").count() == 1
    ana_client = login(ana)
    assert "/notices" in ana_client.get("/notifications").content.decode()
    action = Action.objects.get()
    notice = ana_client.get(f"/notices/{action.pk}").content.decode()
    assert "Hate speech is not allowed." in notice and "Offensive thing" in notice
    assert login(bob).get(f"/notices/{action.pk}").status_code == 404  # someone else's notice


def test_mark_a_post_sensitive(ana, bob, mod, login, write) -> None:
    post = write(ana, "Graphic")
    report_post(bob, post.pk, "violence")
    act(login(mod), "post", post.pk, "sensitive", "Please mark such images.")
    post.refresh_from_db()
    assert post.sensitive and post.media_spoiler and post.moderation_state == ""
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 200
    assert AuditEntry.objects.filter(verb="sensitive", target_id=post.pk).exists()


def test_limit_a_posts_reach(ana, bob, mod, login, write) -> None:
    post = write(ana, "Miracle cure for everything")
    report_post(bob, post.pk, "misinformation")
    assert post.pk in [p.pk for p in find_posts(bob, "miracle", tab="recent").items]
    act(login(mod), "post", post.pk, "limit")
    assert Post.objects.get(pk=post.pk).reach_limited
    assert post.pk not in [p.pk for p in find_posts(bob, "miracle", tab="recent").items]
    assert post.pk not in [p.pk for p in trending_posts(bob)]
    assert not Post.objects.filter(pk=post.pk).full_reach().exists()
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 200  # still there for those who look
    assert AuditEntry.objects.filter(verb="limit", target_id=post.pk).exists()


def test_limit_a_topics_reach(ana, bob, mod, login, write) -> None:
    post = write(ana, "Hi #Drama")
    write(bob, "So much #drama today")
    write(mod, "#Drama again")  # three people: trending's floor
    assert post.topic_id in [t.topic.pk for t in trending_topics()]
    report_topic(bob, "drama", "other")
    act(login(mod), "topic", post.topic_id, "limit")
    assert Topic.objects.get(pk=post.topic_id).reach_limited
    assert post.topic_id not in [t.topic.pk for t in trending_topics()]
    assert AuditEntry.objects.filter(verb="limit", target_type="topic").exists()


def test_suspend_is_for_admins(ana, bob, mod, boss, login, write) -> None:
    report_account(bob, ana, "spam")
    response = act(login(mod), "account", ana.pk, "suspend")
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.suspended_at is None and ana.is_active
    assert not Action.objects.exists() and not AuditEntry.objects.filter(verb="suspend").exists()


def test_suspend_an_account(ana, bob, boss, login, write, client) -> None:
    post = write(ana, "spam spam spam")
    report_post(bob, post.pk, "spam")
    ana_client = login(ana)
    response = act(login(boss), "post", post.pk, "suspend", "Spam account.")
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.suspended_at is not None and not ana.is_active and not ana.user.is_active
    action = Action.objects.get()
    assert (action.target_type, action.target_id, action.kind) == ("account", ana.pk, "suspend")
    assert Report.objects.get().status == "resolved"
    assert AuditEntry.objects.filter(verb="suspend", target_id=ana.pk, actor_label="@boss").exists()
    # Their content is hidden, their session is gone, and they cannot post or sign in.
    assert login(bob).get(f"/@ana/post/{post.pk}").status_code == 404
    assert login(bob).get("/@ana").status_code == 404
    assert ana_client.get("/compose").status_code == 302
    response = client.post("/login", {"email": "ana@example.com", "password": "a long enough passphrase"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "suspended" in page and "Spam account." in page
    assert "_auth_user_id" not in client.session
    wrong = client.post("/login", {"email": "ana@example.com", "password": "not the password at all"})
    assert wrong.status_code == 422 and "Spam account." not in wrong.content.decode()


def test_dismissing_closes_reports_and_changes_nothing_else(ana, bob, mod, login, write) -> None:
    post = write(ana, "A fine post")
    report_post(bob, post.pk, "spam")
    response = act(login(mod), "post", post.pk, "dismiss", "Not spam.")
    assert response.status_code == 302
    assert Report.objects.get().status == "resolved" and not Action.objects.exists()
    assert Post.objects.get(pk=post.pk).moderation_state == ""
    assert AuditEntry.objects.get(verb="dismiss").note == "Not spam."
    assert not Notification.objects.filter(kind="moderation").exists()
    again = act(login(mod), "post", post.pk, "dismiss")
    assert again.status_code == 302 and AuditEntry.objects.filter(verb="dismiss").count() == 1


def test_the_same_action_twice_is_refused(ana, bob, mod, login, write) -> None:
    post = write(ana, "x y z")
    report_post(bob, post.pk, "spam")
    client = login(mod)
    act(client, "post", post.pk, "limit")
    act(client, "post", post.pk, "limit")
    assert Action.objects.count() == 1


def test_an_action_that_does_not_fit_the_target_is_refused(ana, bob, mod, login) -> None:
    report_account(bob, ana, "spam")
    act(login(mod), "account", ana.pk, "remove")
    assert not Action.objects.exists() and Report.objects.get().status == "open"


@pytest.mark.parametrize("path", ["/moderation", "/moderation/log", "/moderation/appeals"])
def test_people_without_a_role_get_404(ana, login, path) -> None:
    assert login(ana).get(path).status_code == 404


def test_people_without_a_role_cannot_act(ana, bob, login, write) -> None:
    post = write(ana, "Hello")
    report_post(bob, post.pk, "spam")
    client = login(bob)
    assert client.get(f"/moderation/post/{post.pk}").status_code == 404
    for action in ("remove", "dismiss", "suspend", "sensitive", "limit"):
        assert act(client, "post", post.pk, action).status_code == 404
    assert Post.objects.get(pk=post.pk).moderation_state == ""
    assert Report.objects.get().status == "open"
    assert not Action.objects.exists() and not AuditEntry.objects.exists()


def test_logged_out_visitors_are_sent_to_sign_in(anon) -> None:
    response = anon.get("/moderation")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_audit_log_page(ana, bob, mod, login, write) -> None:
    post = write(ana, "Bad")
    report_post(bob, post.pk, "spam")
    client = login(mod)
    act(client, "post", post.pk, "remove", "Removed for spam.")
    page = client.get("/moderation/log").content.decode()
    assert "@mod" in page and "remove" in page and "Removed for spam." in page
    assert "grant_role" in page  # the operator named @mod


def test_the_audit_log_is_append_only(ana, bob, mod, login, write) -> None:
    entry = AuditEntry.objects.get(verb="grant_role")
    entry.note = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == "moderator"


def test_the_queue_shows_reports_of_deleted_content(ana, bob, mod, login, write) -> None:
    from spool.posts.services import delete_post

    post = write(ana, "Gone soon")
    report_post(bob, post.pk, "abuse")
    delete_post(ana, post.pk)
    client = login(mod)
    assert "Gone soon" in client.get("/moderation").content.decode()
    page = client.get(f"/moderation/post/{post.pk}").content.decode()
    assert "Gone soon" in page and "deleted by its author" in page
    act(client, "post", post.pk, "remove")
    assert not Action.objects.exists()
    act(client, "post", post.pk, "dismiss")
    assert Report.objects.get().status == "resolved"


def test_the_queue_costs_the_same_queries_for_2_or_12_targets(ana, bob, mod, login, write) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(mod)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/moderation").status_code == 200
        return len(queries)

    for i in range(2):
        report_post(bob, write(ana, f"post {i}").pk, "spam")
    few = cost()
    for i in range(10):
        report_post(bob, write(ana, f"more {i}").pk, "spam")
    assert cost() == few
