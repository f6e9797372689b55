"""Steering For You in a real browser: open a post's "Why am I seeing this?", say "Not interested" (the post
goes, an Undo appears), "Show more" on another, follow a topic from its page, and write a Dear Algo request
in Settings. Everything under the strict Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest

from spool.feeds.for_you.models import DearAlgoRequest, PostFeedback, TopicFollow
from spool.identities.services import follow_account, register_account
from spool.posts.services import create_post
from tests.browser.test_journey import _async_unsafe_allowed, browser_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase"


def test_steering_for_you(live_server: Any, browser_page: Any) -> None:  # noqa: F811 (a fixture)
    page, url = browser_page, live_server.url
    ada = register_account(email="ada@example.com", password=PASSWORD, handle="ada")
    bob = register_account(email="bob@example.com", password=PASSWORD, handle="bob")
    cy = register_account(email="cy@example.com", password=PASSWORD, handle="cy")
    follow_account(ada, bob)
    follow_account(ada, cy)
    dull = create_post(bob, text="Yet another post about spreadsheets")
    good = create_post(cy, text="Sunrise ride along the river", topic="Cycling")

    page.goto(f"{url}/login")
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")

    page.goto(f"{url}/for-you")
    dull_card = page.locator(f"#post-{dull.id}")
    good_card = page.locator(f"#post-{good.id}")
    assert dull_card.is_visible() and good_card.is_visible()

    # The explanation is a disclosure: closed, then open with the reasons in words.
    reasons = good_card.locator(".why-reasons")
    assert not reasons.is_visible()
    good_card.locator(".why summary").click()
    reasons.wait_for(state="visible")
    assert "You follow @cy" in reasons.inner_text()

    # Not interested: the card is replaced by a note with Undo, and the post stays gone on reload.
    dull_card.locator(".steer summary").click()
    page.screenshot(path="/tmp/spool-for-you-menu.png")
    dull_card.locator("button[data-kind='not_interested']").click()
    page.wait_for_selector(f"#post-{dull.id}.steered")
    assert page.is_visible("text=this post won't show in For You again")
    assert PostFeedback.objects.get(post_key=dull.id).kind == "not_interested"
    page.reload()
    page.wait_for_selector(f"#post-{good.id}")
    assert not page.is_visible("text=Yet another post about spreadsheets")

    # Show more: the menu becomes a note; the post stays.
    good_card.locator(".steer summary").click()
    good_card.locator("button[data-kind='more']").click()
    page.wait_for_selector("text=you'll see more posts like this")
    assert PostFeedback.objects.get(post_key=good.id).kind == "more"
    assert good_card.is_visible()

    # Follow the topic from its page (htmx swaps the button).
    page.goto(f"{url}/topic/Cycling")
    page.click("button:has-text('Follow topic')")
    page.wait_for_selector(".topic-follow button:has-text('Following')")
    assert TopicFollow.objects.filter(account=ada, topic__name="cycling").exists()

    # Dear Algo from Settings → For You, then revoke it.
    page.goto(f"{url}/settings/for-you")
    page.fill("#id_dear_algo", "Show me more about sunrise, less spreadsheets")
    page.click("button:has-text('Send to the algorithm')")
    page.wait_for_selector("text=More: sunrise.")
    assert DearAlgoRequest.objects.get(account=ada).less == ["spreadsheets"]
    page.click(".dear-algo button:has-text('Revoke')")
    page.wait_for_selector("text=No active requests.")

    page.goto(f"{url}/for-you")
    page.wait_for_selector(f"#post-{good.id}")
    page.screenshot(path="/tmp/spool-for-you.png", full_page=True)
    assert page.csp_errors == []
