"""A report handled end to end in Debian's chromium against a live server: a person reports a post from its
menu, a moderator opens the queue, reads the context, removes the post with a note, and the author reads the
notice from their Activity tab — all under the strict Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest

from spool.identities.services import register_account
from spool.moderation.models import AuditEntry, Report
from spool.moderation.services import grant_role
from spool.posts.models import Post
from spool.posts.services import create_post
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long enough passphrase"


def sign_in(page: Any, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")


def sign_out(page: Any, url: str) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{url}/new")


def test_a_moderator_handles_a_report_end_to_end(live_server: Any, browser_page: Any) -> None:  # noqa: F811
    page, url = browser_page, live_server.url
    ana = register_account(email="ana@example.com", password=PASSWORD, handle="ana")
    register_account(email="bob@example.com", password=PASSWORD, handle="bob")
    mod = register_account(email="mod@example.com", password=PASSWORD, handle="mod")
    grant_role(None, mod, "moderator")
    opener = create_post(ana, text="Who else is going to the match tonight?")
    post = create_post(ana, text="Anyone who disagrees with me is vermin", reply_to_id=opener.pk)

    # Bob reports the reply from its ••• menu.
    sign_in(page, url, "bob@example.com")
    page.goto(f"{url}/@ana/post/{post.pk}")
    page.locator(".post.is-focus summary[aria-label='More actions for this post']").click()
    page.click(".post.is-focus a[role='menuitem']:has-text('Report')")
    page.wait_for_url(f"{url}/report/post/{post.pk}")
    page.check("input[name='reason'][value='hate']")
    page.fill("#id_comment", "Dehumanising language")
    page.click("button:has-text('Submit report')")
    page.wait_for_url(f"{url}/@ana/post/{post.pk}")
    assert page.is_visible("text=A moderator will review your report")
    assert Report.objects.get().reason == "hate"
    sign_out(page, url)

    # The moderator opens the queue, sees the report with its context, and removes the post.
    sign_in(page, url, "mod@example.com")
    page.goto(f"{url}/moderation")
    group = page.locator(".report-group").first
    assert "Anyone who disagrees with me is vermin" in group.inner_text()
    group.locator("a.post-author").click()
    page.wait_for_url(f"{url}/moderation/post/{post.pk}")
    assert page.is_visible("text=Dehumanising language")
    assert page.is_visible("text=Who else is going to the match tonight?")  # the thread around it
    page.fill("#id_note", "Calling people vermin breaks our rules on hate speech.")
    page.click("button[name='action'][value='remove']")
    page.wait_for_url(f"{url}/moderation/post/{post.pk}")
    assert page.is_visible("text=Removed. The author was told why.")
    assert Post.objects.get(pk=post.pk).moderation_state == "removed"
    assert AuditEntry.objects.filter(verb="remove", target_id=post.pk, actor_label="@mod").exists()
    page.goto(f"{url}/moderation/log")
    assert page.is_visible("text=Calling people vermin breaks our rules on hate speech.")
    sign_out(page, url)

    # The author finds the notice in their Activity tab, reads the note, and the post is gone.
    sign_in(page, url, "ana@example.com")
    page.goto(f"{url}/notifications")
    page.click("a:has-text('Read it')")
    page.wait_for_url(f"{url}/notices")
    page.click("a:has-text('Moderators removed your post.')")
    assert page.inner_text("#moderator-note") == "Calling people vermin breaks our rules on hate speech."
    assert page.is_visible("text=Anyone who disagrees with me is vermin")  # what it concerned
    assert page.is_visible("button:has-text('Send appeal')")
    response = page.goto(f"{url}/@ana/post/{post.pk}")
    assert response.status == 404
    assert page.csp_errors == []
